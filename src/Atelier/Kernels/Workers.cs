using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Atelier.Kernels;

/// <summary>A piece of a parallel loop: handles the indices [start, end).</summary>
public interface IWorkItem
{
    void Run(int start, int end);
}

/// <summary>
/// The kernels' thread pool: a few persistent threads that split <c>for i in [0, count)</c> into contiguous chunks.
/// The calling thread runs chunks too; nothing is allocated per call. The split depends only on count and the
/// chunk count (never on timing), so a kernel whose chunk result depends only on its range is bit-reproducible.
/// Calls from inside a chunk, or while another thread is dispatching, run their chunks inline, in order.
/// </summary>
public static unsafe class Workers
{
    private static int threadCount = Math.Max(1, Environment.ProcessorCount);

    // Job state, written by the dispatcher under `gate` before the generation is published.
    private static delegate*<void*, int, int, void> jobRun;
    private static void* jobContext;
    private static int jobCount, jobChunks, jobHelpers;

    // High 32 bits: generation; low 32 bits: next chunk to claim. One CAS claims a chunk of a given generation.
    private static long claim;
    private static int generation;
    private static int chunksDone;
    private static int sleepers;
    private static Exception? jobError;

    private static readonly object gate = new();
    private static readonly object sleepLock = new();
    private static readonly List<Thread> threads = [];

    [ThreadStatic] private static bool insideWorker;

    // Set while an Alone scope lives on this thread: its kernels see a pool of one.
    [ThreadStatic] private static bool alone;

    // How long an idle worker spins before blocking: kernels come back to back in a training step.
    private static readonly long spinTicks = Stopwatch.Frequency / 5000; // 200 µs

    /// <summary>
    /// Threads used by kernels (the caller included); defaults to the processor count. Inside <see cref="Alone"/>, 1
    /// on that thread.
    /// </summary>
    public static int ThreadCount
    {
        get => alone ? 1 : Volatile.Read(ref threadCount);
        set
        {
            if (value < 1)
                throw new ArgumentOutOfRangeException(nameof(value), value, "The thread count must be at least 1.");
            Volatile.Write(ref threadCount, value);
        }
    }

    /// <summary>
    /// Until the scope is disposed (and only when <paramref name="when"/>), the kernels this thread calls plan for and
    /// run on this thread alone, as with a <see cref="ThreadCount"/> of 1, while other threads keep the pool. For passes
    /// too small to pay for handing chunks to another core. Every kernel gives the same bits on 1 thread as on several,
    /// so only the time changes.
    /// </summary>
    public static AloneScope Alone(bool when = true)
    {
        var scope = new AloneScope(alone);
        alone |= when;
        return scope;
    }

    /// <summary>Restores the thread's previous setting when disposed.</summary>
    public readonly struct AloneScope : IDisposable
    {
        private readonly bool previous;

        internal AloneScope(bool previous) => this.previous = previous;

        public void Dispose() => alone = previous;
    }

    /// <summary>True on a pool thread, or on a caller while it runs its share of a parallel loop.</summary>
    public static bool IsInsideWorker => insideWorker;

    /// <summary>Runs <paramref name="work"/> over [0, count) in <see cref="ThreadCount"/> chunks.</summary>
    public static void For<T>(int count, ref T work) where T : struct, IWorkItem, allows ref struct
        => For(count, ref work, ThreadCount);

    /// <summary>
    /// Runs <paramref name="work"/> over [0, count) in four chunks per thread, for kernels whose result does not depend
    /// on the split: when another process holds up one thread, the others take over its remaining chunks.
    /// </summary>
    public static void ForBalanced<T>(int count, ref T work) where T : struct, IWorkItem, allows ref struct
        => For(count, ref work, 4 * ThreadCount);

    /// <summary>
    /// Runs <paramref name="work"/> over [0, count) split into <paramref name="chunks"/> contiguous chunks, chunk i being
    /// [count·i/chunks, count·(i+1)/chunks); threads claim chunks in turn (more chunks than threads balances load).
    /// </summary>
    public static void For<T>(int count, ref T work, int chunks) where T : struct, IWorkItem, allows ref struct
    {
        if (count <= 0) return;
        chunks = Math.Clamp(chunks, 1, count);
        int threadsWanted = Math.Min(ThreadCount, chunks);
        void* context = Unsafe.AsPointer(ref work);
        if (threadsWanted <= 1 || insideWorker || !Monitor.TryEnter(gate))
        {
            RunInline(count, chunks, context, &Invoke<T>);
            return;
        }
        try
        {
            Dispatch(count, chunks, threadsWanted - 1, context, &Invoke<T>);
        }
        finally
        {
            Monitor.Exit(gate);
        }
    }

    private static void Invoke<T>(void* context, int start, int end) where T : struct, IWorkItem, allows ref struct
        => Unsafe.AsRef<T>(context).Run(start, end);

    private static void RunInline(int count, int chunks, void* context, delegate*<void*, int, int, void> run)
    {
        for (int i = 0; i < chunks; i++)
        {
            var (start, end) = ChunkRange(count, chunks, i);
            run(context, start, end);
        }
    }

    private static (int Start, int End) ChunkRange(int count, int chunks, int index)
        => ((int)((long)count * index / chunks), (int)((long)count * (index + 1) / chunks));

    private static void Dispatch(int count, int chunks, int helpers, void* context, delegate*<void*, int, int, void> run)
    {
        while (threads.Count < helpers) StartThread(threads.Count);
        // Close the finished job's claims before its fields change: a helper still in RunClaims for it may have read the
        // exhausted claim and then read this job's larger chunk count, and its claim must fail, not run a chunk twice
        // and end the job while another thread still works on its (stack-held) context.
        int gen = generation + 1;
        Interlocked.Exchange(ref claim, ((long)gen << 32) | int.MaxValue);
        jobRun = run;
        jobContext = context;
        jobCount = count;
        jobChunks = chunks;
        jobHelpers = helpers;
        jobError = null;
        Volatile.Write(ref chunksDone, 0);
        Interlocked.Exchange(ref claim, (long)gen << 32);
        Interlocked.Exchange(ref generation, gen);
        if (Volatile.Read(ref sleepers) > 0)
            lock (sleepLock) Monitor.PulseAll(sleepLock);

        insideWorker = true;
        try
        {
            RunClaims(gen);
        }
        finally
        {
            insideWorker = false;
        }
        var spin = new SpinWait();
        while (Volatile.Read(ref chunksDone) < chunks) spin.SpinOnce(sleep1Threshold: -1);
        jobContext = null;
        if (jobError is { } error)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(error).Throw();
    }

    // Claims and runs chunks of generation `gen` until none is left; a stale generation claims nothing.
    private static void RunClaims(int gen)
    {
        while (true)
        {
            long s = Volatile.Read(ref claim);
            if ((int)(s >> 32) != gen) return;
            int index = (int)s;
            // jobChunks may already be the next job's (Dispatch writes it after closing this one): then the claim
            // below fails, because closing changed it.
            if (index >= jobChunks) return;
            if (Interlocked.CompareExchange(ref claim, s + 1, s) != s) continue;
            var (start, end) = ChunkRange(jobCount, jobChunks, index);
            try
            {
                jobRun(jobContext, start, end);
            }
            catch (Exception e)
            {
                // Handed to the dispatching thread: an exception must never kill a pool thread.
                Interlocked.CompareExchange(ref jobError, e, null);
            }
            finally
            {
                Interlocked.Increment(ref chunksDone);
            }
        }
    }

    private static void StartThread(int index)
    {
        var thread = new Thread(() => WorkerLoop(index))
        {
            IsBackground = true,
            Name = $"Atelier worker {index + 1}",
        };
        threads.Add(thread);
        thread.Start();
    }

    private static void WorkerLoop(int index)
    {
        insideWorker = true;
        int seen = Volatile.Read(ref generation);
        while (true)
        {
            seen = WaitForGeneration(seen);
            if (index < Volatile.Read(ref jobHelpers)) RunClaims(seen);
        }
    }

    private static int WaitForGeneration(int seen)
    {
        long until = Stopwatch.GetTimestamp() + spinTicks;
        var spin = new SpinWait();
        while (Volatile.Read(ref generation) == seen)
        {
            if (Stopwatch.GetTimestamp() < until)
            {
                spin.SpinOnce(sleep1Threshold: -1);
                continue;
            }
            lock (sleepLock)
            {
                Interlocked.Increment(ref sleepers);
                while (Volatile.Read(ref generation) == seen) Monitor.Wait(sleepLock);
                Interlocked.Decrement(ref sleepers);
            }
        }
        return Volatile.Read(ref generation);
    }
}
