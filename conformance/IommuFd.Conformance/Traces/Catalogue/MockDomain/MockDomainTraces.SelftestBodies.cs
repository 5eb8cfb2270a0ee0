using IommuFd.Conformance.Traces.Building;
using static IommuFd.Conformance.Traces.Catalogue.TraceConstants;

namespace IommuFd.Conformance.Traces.Catalogue;

// Bodies of iommufd_ioas cases that run the same calls in every variant of the fixture.
public sealed partial class MockDomainTraces
{
    /// <summary>The selftest's area case on an IOAS whose buffer is <paramref name="a"/>, from the fixture's base IOVA.</summary>
    private static void AreaBody(TraceBuilder t, TraceBuffer a, IoasHandle ioas, ulong baseIova)
    {
        for (int k = 0; k < 10; k++)
            t.IoasUnmap($"unmap_nothing{k}", ioas, (ulong)k * Page, Page);
        for (int k = 0; k < 10; k++)
            t.IoasMapFixed($"map{k}", ioas, a.At(0), Page, baseIova + (ulong)k * Page);
        for (int k = 0; k < 10; k++)
            t.IoasUnmap($"unmap{k}", ioas, baseIova + (ulong)k * Page, Page);
        t.IoasMapFixed("map_two_pages", ioas, a.At(0), 2 * Page, baseIova + 16 * Page);
        t.IoasUnmap("split_first", ioas, baseIova + 16 * Page, Page);
        t.IoasUnmap("split_second", ioas, baseIova + 17 * Page, Page);
        t.IoasMapFixed("over_same", ioas, a.At(0), 2 * Page, baseIova + 16 * Page);
        t.IoasMapFixed("over_first", ioas, a.At(0), Page, baseIova + 16 * Page);
        t.IoasMapFixed("over_second", ioas, a.At(0), Page, baseIova + 17 * Page);
        t.IoasMapFixed("over_start", ioas, a.At(0), 2 * Page, baseIova + 15 * Page);
        t.IoasMapFixed("over_around", ioas, a.At(0), 3 * Page, baseIova + 15 * Page);
        t.IoasUnmap("unmap_all", ioas, 0, U64Max);
        t.IoasUnmap("unmap_all_empty", ioas, 0, U64Max);
    }

    /// <summary>check_access_rw of the selftest, sampled: IOVAs around the first page boundary (PAGE-50 .. PAGE+49
    /// in steps of 7) and lengths of 1 to 63 bytes, a read then a write of each, each compared through a read of
    /// the user memory (<paramref name="mapped"/> is the buffer behind <paramref name="iova"/>); then one
    /// multi-page read into <paramref name="multi"/>.</summary>
    private static void CheckAccessRw(TraceBuilder t, TraceFd access, TraceBuffer mapped, TraceBuffer user, TraceBuffer multi,
                                      ulong iova, uint flags, string tag)
    {
        int n = 0;
        for (ulong offset = Page - 50; offset < Page + 50; offset += 7)
        {
            foreach (int length in new[] { 1, 2, 9, 31, 63 })
            {
                t.TestAccessRw($"{tag}_read_{n}", access, iova + offset, length, user.At(0), flags);
                t.Read($"{tag}_read_{n}_bytes", user, 0, length);
                t.Write(user, 0, Pattern(length, n));
                t.TestAccessRw($"{tag}_write_{n}", access, iova + offset, length, user.At(0), flags | RwWrite);
                t.Read($"{tag}_write_{n}_bytes", mapped, offset, length);
                n++;
            }
        }
        t.TestAccessRw($"{tag}_multi_page", access, iova, 4 * Page, multi.At(0), flags);
        t.Read($"{tag}_multi_page_first", multi, Page - 64, 128);
        t.Read($"{tag}_multi_page_third", multi, 3 * Page - 64, 128);
    }
}
