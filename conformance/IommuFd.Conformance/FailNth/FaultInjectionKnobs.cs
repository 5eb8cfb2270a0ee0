namespace IommuFd.Conformance.FailNth;

/// <summary>The global fault-injection settings under debugfs that fail-nth needs, set as
/// tools/testing/selftests/iommu/iommufd_fail_nth.c sets them: failslab must not skip GFP_KERNEL
/// (sleeping) allocations, which it does by default, and every <c>fail*</c> attribute is quiet
/// (verbose 0) so the kernel log shows only real reports. Machine-wide: for the test VM only.</summary>
public static class FaultInjectionKnobs
{
    /// <summary>Where debugfs is mounted (the test VM mounts it there).</summary>
    public const string DebugFs = "/sys/kernel/debug";

    /// <summary>Applies the settings.</summary>
    /// <returns>null when done, else why fault injection is not usable here.</returns>
    public static string? Apply()
    {
        string failslab = Path.Combine(DebugFs, "failslab");
        if (!Directory.Exists(failslab))
            return $"{failslab} is missing (needs CONFIG_FAILSLAB and CONFIG_FAULT_INJECTION_DEBUG_FS, debugfs mounted at {DebugFs})";
        try
        {
            File.WriteAllText(Path.Combine(failslab, "ignore-gfp-wait"), "N");
            foreach (string attribute in Directory.EnumerateDirectories(DebugFs, "fail*"))
            {
                string verbose = Path.Combine(attribute, "verbose");
                if (File.Exists(verbose))
                    File.WriteAllText(verbose, "0");
            }
            // fail_page_alloc exists only with CONFIG_FAIL_PAGE_ALLOC; the selftest opens it up too.
            string pageAlloc = Path.Combine(DebugFs, "fail_page_alloc");
            if (Directory.Exists(pageAlloc))
            {
                File.WriteAllText(Path.Combine(pageAlloc, "ignore-gfp-wait"), "N");
                File.WriteAllText(Path.Combine(pageAlloc, "ignore-gfp-highmem"), "N");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"cannot configure fault injection under {DebugFs}: {e.Message}";
        }
        return null;
    }
}
