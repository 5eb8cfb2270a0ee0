namespace IommuFd.Conformance.FailNth;

/// <summary>Fails the Nth fault-injection point the calling task reaches (the kernel's fail-nth).</summary>
public interface IFaultInjector
{
    /// <summary>Arms: the <paramref name="nth"/> fault point from now on fails (nth &gt; 0).</summary>
    void Arm(uint nth);

    /// <summary>Disarms and returns how many fault points were still to pass before the armed one:
    /// 0 means the armed fault was injected since <see cref="Arm"/>.</summary>
    uint Disarm();
}
