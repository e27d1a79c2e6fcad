using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Atelier.Tests.Data;

/// <summary>What the test server does for one request.</summary>
internal abstract record ServerAnswer
{
    /// <summary>200 with these bytes.</summary>
    public sealed record Content(byte[] Body) : ServerAnswer;

    /// <summary>A status code with a short body.</summary>
    public sealed record Status(int Code, string Reason) : ServerAnswer;

    /// <summary>200 announcing <paramref name="AnnouncedLength"/> bytes but sending only the body, then closing.</summary>
    public sealed record CutShort(byte[] Body, long AnnouncedLength) : ServerAnswer;
}

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1 and a free port, one connection per request: enough to test the
/// downloader's success, checksum, truncation, error and retry paths without the internet.
/// </summary>
internal sealed class LocalHttpServer : IDisposable
{
    private readonly TcpListener listener;
    private readonly Func<string, ServerAnswer> answer;
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;
    private int requests;

    public LocalHttpServer(Func<string, ServerAnswer> answer)
    {
        this.answer = answer;
        listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        Url = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/data/";
        loop = Task.Run(AcceptLoop);
    }

    public string Url { get; }

    public int Requests => Volatile.Read(ref requests);

    /// <summary>A URL on a port where nothing listens (connection refused).</summary>
    public static string DeadUrl()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return $"http://127.0.0.1:{port}/data/";
    }

    private async Task AcceptLoop()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await listener.AcceptTcpClientAsync(stop.Token); }
            catch (Exception) { return; }
            _ = Task.Run(() => Serve(client));
        }
    }

    private async Task Serve(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                string path = await ReadRequestPath(stream);
                Interlocked.Increment(ref requests);
                string relative = path.StartsWith("/data/", StringComparison.Ordinal) ? path["/data/".Length..] : path;
                switch (answer(relative))
                {
                    case ServerAnswer.Content c:
                        await WriteHead(stream, 200, "OK", c.Body.Length);
                        await stream.WriteAsync(c.Body);
                        break;
                    case ServerAnswer.Status s:
                        var body = Encoding.ASCII.GetBytes(s.Reason);
                        await WriteHead(stream, s.Code, s.Reason, body.Length);
                        await stream.WriteAsync(body);
                        break;
                    case ServerAnswer.CutShort cut:
                        await WriteHead(stream, 200, "OK", cut.AnnouncedLength);
                        await stream.WriteAsync(cut.Body);
                        break;
                }
                await stream.FlushAsync();
                client.Client.Shutdown(SocketShutdown.Send);
            }
            catch (IOException) { }
            catch (SocketException) { }
        }
    }

    private static async Task<string> ReadRequestPath(NetworkStream stream)
    {
        var head = new StringBuilder();
        var buffer = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(buffer) == 0) break;
            head.Append((char)buffer[0]);
        }
        var firstLine = head.ToString().Split("\r\n")[0].Split(' ');
        return firstLine.Length > 1 ? firstLine[1] : "/";
    }

    private static Task WriteHead(NetworkStream stream, int code, string reason, long length) =>
        stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"HTTP/1.1 {code} {reason}\r\nContent-Type: application/octet-stream\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n")).AsTask();

    public void Dispose()
    {
        stop.Cancel();
        listener.Stop();
        try { loop.Wait(2000); } catch (AggregateException) { }
        stop.Dispose();
    }
}
