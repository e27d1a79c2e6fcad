using Atelier.Kernels;

namespace Atelier.Tests.Kernels;

[Collection("Workers.ThreadCount")]
public sealed class WorkersTests
{
    private struct CountVisits(int[] visits) : IWorkItem
    {
        public void Run(int start, int end)
        {
            for (int i = start; i < end; i++) Interlocked.Increment(ref visits[i]);
        }
    }

    private struct NestedLoop(int[] visits, int inner) : IWorkItem
    {
        public void Run(int start, int end)
        {
            for (int i = start; i < end; i++)
            {
                var offset = new OffsetVisits(visits, i * inner);
                Workers.For(inner, ref offset);
            }
        }
    }

    private struct OffsetVisits(int[] visits, int offset) : IWorkItem
    {
        public void Run(int start, int end)
        {
            for (int i = start; i < end; i++) Interlocked.Increment(ref visits[offset + i]);
        }
    }

    private struct RecordChunks(int[] starts) : IWorkItem
    {
        public void Run(int start, int end)
        {
            for (int i = start; i < end; i++) starts[i] = start;
        }
    }

    private static void WithThreads(int threads, Action action)
    {
        int saved = Workers.ThreadCount;
        Workers.ThreadCount = threads;
        try { action(); }
        finally { Workers.ThreadCount = saved; }
    }

    [Theory]
    [InlineData(1, 1, 0)]
    [InlineData(1, 1000, 0)]
    [InlineData(2, 1, 0)]
    [InlineData(2, 2, 0)]
    [InlineData(2, 1001, 0)]
    [InlineData(2, 1001, 7)]
    [InlineData(3, 10, 0)]
    public void Every_index_runs_exactly_once(int threads, int count, int chunks)
    {
        WithThreads(threads, () =>
        {
            for (int repeat = 0; repeat < 50; repeat++)
            {
                var visits = new int[count];
                var work = new CountVisits(visits);
                if (chunks == 0) Workers.For(count, ref work);
                else Workers.For(count, ref work, chunks);
                Assert.All(visits, v => Assert.Equal(1, v));
            }
        });
    }

    [Fact]
    public void A_job_with_more_chunks_after_a_finished_one_runs_each_chunk_once()
    {
        // The race of a late helper: it read the finished job's exhausted claim, then the next job's larger chunk count.
        // Before Dispatch closed a job's claims first, that helper ran a chunk of the next job twice (a resnet9 run
        // crashed on a stale context after 26 epochs). Many small jobs of 2 and then 24 chunks, each checked.
        WithThreads(3, () =>
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var small = new int[2];
            var large = new int[24];
            for (int round = 0; watch.Elapsed.TotalSeconds < 1.5; round++)
            {
                Array.Clear(small);
                Array.Clear(large);
                var a = new CountVisits(small);
                Workers.For(small.Length, ref a, small.Length);
                var b = new CountVisits(large);
                Workers.For(large.Length, ref b, large.Length);
                if (small.Any(v => v != 1) || large.Any(v => v != 1))
                    Assert.Fail($"round {round}: visits {string.Join(",", small)} | {string.Join(",", large)}");
            }
        });
    }

    [Fact]
    public void Nested_loops_run_inline_without_deadlock()
    {
        WithThreads(2, () =>
        {
            var visits = new int[8 * 100];
            var work = new NestedLoop(visits, 100);
            Workers.For(8, ref work);
            Assert.All(visits, v => Assert.Equal(1, v));
        });
    }

    [Fact]
    public void The_split_depends_only_on_count_and_chunks()
    {
        var first = new int[1003];
        var second = new int[1003];
        WithThreads(2, () =>
        {
            var a = new RecordChunks(first);
            Workers.For(first.Length, ref a, 5);
        });
        WithThreads(1, () =>
        {
            var b = new RecordChunks(second);
            Workers.For(second.Length, ref b, 5);
        });
        Assert.Equal(first, second);
        Assert.Equal(0, first[0]);
        Assert.Equal(1003 * 4 / 5, first[^1]);
    }

    [Fact]
    public void Concurrent_callers_all_finish()
    {
        WithThreads(2, () =>
        {
            var tasks = new Task[4];
            for (int t = 0; t < tasks.Length; t++)
                tasks[t] = Task.Run(() =>
                {
                    for (int r = 0; r < 200; r++)
                    {
                        var visits = new int[257];
                        var work = new CountVisits(visits);
                        Workers.For(visits.Length, ref work);
                        Assert.All(visits, v => Assert.Equal(1, v));
                    }
                });
            Task.WaitAll(tasks);
        });
    }

    private struct Throws : IWorkItem
    {
        public void Run(int start, int end)
        {
            if (start > 0) throw new InvalidOperationException("chunk failed");
        }
    }

    [Fact]
    public void An_exception_in_a_chunk_reaches_the_caller()
    {
        WithThreads(2, () =>
        {
            var work = new Throws();
            Assert.Throws<InvalidOperationException>(() => Workers.For(10, ref work, 4));
            var visits = new int[10];
            var ok = new CountVisits(visits);
            Workers.For(10, ref ok);
            Assert.All(visits, v => Assert.Equal(1, v));
        });
    }

    private struct RecordThreads(int[] threads) : IWorkItem
    {
        public void Run(int start, int end)
        {
            for (int i = start; i < end; i++) threads[i] = Environment.CurrentManagedThreadId;
        }
    }

    [Fact]
    public void Inside_an_alone_scope_this_thread_runs_every_chunk_and_other_threads_keep_the_pool()
    {
        WithThreads(2, () =>
        {
            var threads = new int[64];
            using (Workers.Alone())
            {
                Assert.Equal(1, Workers.ThreadCount);
                var record = new RecordThreads(threads);
                Workers.For(threads.Length, ref record, 16);
                Assert.All(threads, t => Assert.Equal(Environment.CurrentManagedThreadId, t));
                int elsewhere = 0;
                var other = new Thread(() => elsewhere = Workers.ThreadCount);
                other.Start();
                other.Join();
                Assert.Equal(2, elsewhere);
                using (Workers.Alone(false)) Assert.Equal(1, Workers.ThreadCount); // a nested scope does not undo the outer
                Assert.Equal(1, Workers.ThreadCount);
            }
            Assert.Equal(2, Workers.ThreadCount);
            using (Workers.Alone(false)) Assert.Equal(2, Workers.ThreadCount);
        });
    }

    [Fact]
    public void Thread_count_below_one_is_rejected()
        => Assert.Throws<ArgumentOutOfRangeException>(() => Workers.ThreadCount = 0);
}
