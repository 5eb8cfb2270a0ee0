namespace IommuFd.HardwareRunner.Execution;

/// <summary>Runs work on its own background thread and stops waiting for it after a time limit.
/// A thread stuck in an ioctl cannot be interrupted; it is abandoned instead, so a hung kernel
/// call becomes a reported TIMEOUT rather than a hung runner. Background threads do not keep the
/// process alive.</summary>
public static class AbandonableCall
{
    /// <summary>How a call ended.</summary>
    public enum Ending
    {
        /// <summary>The work returned a value.</summary>
        Completed,
        /// <summary>The work threw; see <see cref="Result{T}.Exception"/>.</summary>
        Threw,
        /// <summary>The time limit passed first; the thread was abandoned.</summary>
        TimedOut,
        /// <summary>The caller's token was cancelled first; the thread was abandoned.</summary>
        Cancelled,
    }

    /// <summary>The outcome of <see cref="Run{T}"/>.</summary>
    /// <typeparam name="T">The work's return type.</typeparam>
    /// <param name="Ending">How it ended.</param>
    /// <param name="Value">The value when completed.</param>
    /// <param name="Exception">The exception when it threw.</param>
    /// <param name="Elapsed">Time spent waiting.</param>
    public sealed record Result<T>(Ending Ending, T? Value, Exception? Exception, TimeSpan Elapsed);

    /// <summary>Runs <paramref name="work"/> on a new background thread, waiting at most
    /// <paramref name="timeout"/> or until <paramref name="cancel"/> fires. The token handed to the
    /// work is cancelled in both cases, for work that can stop cooperatively.</summary>
    public static Result<T> Run<T>(Func<CancellationToken, T> work, TimeSpan timeout, CancellationToken cancel, string threadName = "test")
    {
        using var workCancel = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        CancellationToken workToken = workCancel.Token;
        var thread = new Thread(() =>
        {
            try { done.TrySetResult(work(workToken)); }
            catch (Exception e) { done.TrySetException(e); }
        })
        { IsBackground = true, Name = threadName };

        var started = System.Diagnostics.Stopwatch.StartNew();
        thread.Start();
        int signalled = WaitHandle.WaitAny([((IAsyncResult)done.Task).AsyncWaitHandle, cancel.WaitHandle], timeout);
        TimeSpan elapsed = started.Elapsed;

        if (done.Task.IsCompleted)
        {
            return done.Task.IsFaulted
                ? new Result<T>(Ending.Threw, default, done.Task.Exception!.InnerException ?? done.Task.Exception, elapsed)
                : new Result<T>(Ending.Completed, done.Task.Result, null, elapsed);
        }

        // Not done: tell cooperative work to stop, then leave the thread behind.
        TryCancel(workCancel);
        return new Result<T>(signalled == WaitHandle.WaitTimeout ? Ending.TimedOut : Ending.Cancelled, default, null, elapsed);
    }

    private static void TryCancel(CancellationTokenSource source)
    {
        try { source.Cancel(); }
        catch (AggregateException) { /* a callback of abandoned work threw: it is being abandoned anyway */ }
    }
}
