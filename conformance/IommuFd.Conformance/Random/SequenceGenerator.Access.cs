using System.Text.Json.Nodes;
using static IommuFd.Conformance.Random.SequenceState;

namespace IommuFd.Conformance.Random;

// Families of access objects (IOMMU_TEST_CMD CREATE_ACCESS and the access ops): an access is an fd, so
// its creation takes the next trace fd and its ops name it by "%K".
public sealed partial class SequenceGenerator
{
    private const uint OpCreateAccess = 5, OpDestroyAccessPages = 6, OpAccessPages = 7, OpAccessRw = 8,
                       OpMemoryLimit = 9, OpAccessReplaceIoas = 11;
    private const uint AccessNeedsPin = 1, AccessWrite = 1, RwWrite = 1, RwSlowPath = 4;
    private const uint DefaultMemoryLimit = 65536; // iommufd_test_memory_limit's initial value

    /// <summary>CREATE_ACCESS on an IOAS (mostly pinning, else read/write only; sometimes an unknown flag or a
    /// made-up IOAS), or the close of an access fd (its pins are dropped with it).</summary>
    private static void CreateAccess(SequenceState s)
    {
        if (s.Accesses.Count > 0 && s.OneIn(3))
        {
            TrackedAccess gone = s.Pick(s.Accesses);
            s.CloseCreated(gone.Fd);
            s.Accesses.Remove(gone);
            s.Pins.RemoveAll(p => p.Access == gone);
            s.Objects.Remove(gone.Marker);
            return;
        }
        NewAccess(s, pins: s.OneIn(2));
    }

    private static TrackedAccess? NewAccess(SequenceState s, bool pins)
    {
        (int fd, JsonNode ioas, TrackedObject? target) = s.IdOf(10, Ioas);
        uint flags = s.Random.Next(10) switch { < 8 => pins ? AccessNeedsPin : 0u, 8 => pins ? 0u : AccessNeedsPin, _ => 1u << s.Random.Next(1, 32) };
        s.TestCmd(fd, OpCreateAccess, ioas, "create_access", new JsonObject { ["flags"] = flags });
        int k = s.CreatesFd();
        if (target is null || flags > AccessNeedsPin)
            return null;
        var access = new TrackedAccess(k, fd, flags == AccessNeedsPin, s.Track(AccessUser, fd, target.Id.DeepClone(), owner: target));
        s.Accesses.Add(access);
        return access;
    }

    /// <summary>A live access (a pinning one when <paramref name="pins"/>; sometimes a new one), or null when
    /// none could be made.</summary>
    private static TrackedAccess? SomeAccess(SequenceState s, bool pins = false)
    {
        List<TrackedAccess> fit = s.Accesses.Where(a => a.Pins || !pins).ToList();
        return fit.Count > 0 && !s.OneIn(8) ? s.Pick(fit) : NewAccess(s, pins || s.OneIn(2));
    }

    /// <summary>A range of an area of the access's IOAS: its IOVA (offset inside the area when the area's IOVA
    /// is known), length, user memory; page aligned mostly, else IO-page or byte aligned. Null area: a
    /// made-up range in the aperture.</summary>
    private static (TrackedArea? Area, JsonNode Iova, ulong Length, string Buffer, ulong Offset) AccessRange(SequenceState s, TrackedAccess access)
    {
        List<TrackedArea> areas = s.AreasOf(access.Marker.Owner);
        if (access.Marker.Owner is { } ioas && s.Objects.Contains(access.Marker) && (areas.Count == 0 || s.OneIn(4)))
            areas = [FreshArea(s, ioas)];
        if (areas.Count == 0 || s.OneIn(10))
        {
            ulong length = s.Length();
            (string buffer, ulong offset) = s.UserAddress(length);
            return (null, s.FixedIova(length), length, buffer, offset);
        }
        TrackedArea area = s.Pick(areas);
        if (area.Iova is not JsonValue v || !v.TryGetValue(out ulong iova))
            return (area, area.Iova.DeepClone(), s.OneIn(3) ? area.Length : Math.Max(1, area.Length / 2), area.Buffer, area.Offset);
        ulong start = s.Random.Next(6) switch
        {
            0 => (ulong)s.Random.NextInt64(0, (long)area.Length + 1),
            1 => IoPage * (ulong)s.Random.NextInt64(0, (long)(area.Length / IoPage) + 1),
            _ => Page * (ulong)s.Random.NextInt64(0, (long)(area.Length / Page) + 1),
        };
        ulong room = area.Length > start ? area.Length - start : 0;
        ulong len = s.Random.Next(8) switch
        {
            0 => 0,
            1 => room + Page,                                            // past the area's end
            2 => (ulong)s.Random.NextInt64(1, (long)Math.Min(room, 2 * Page) + 2),
            _ => room >= Page ? Page * (ulong)s.Random.NextInt64(1, (long)(room / Page) + 1) : room,
        };
        return (area, JsonValue.Create(iova + start), len, area.Buffer, area.Offset + start);
    }

    /// <summary>ACCESS_PAGES (a pin of an area's range, read or write, with the user memory checked, not
    /// checked (uptr 0) or wrong; unknown flags) then sometimes MD_CHECK_REFS of the pinned memory or an
    /// unmap of the area under the pin (the access is told and unpins); or DESTROY_ACCESS_PAGES of a pin
    /// (gone after such an unmap) or a made-up one.</summary>
    private static void AccessPages(SequenceState s)
    {
        TrackedAccess? access = SomeAccess(s, pins: !s.OneIn(10));
        if (access is null)
            return;
        JsonNode id = JsonValue.Create($"%{access.Fd}");
        if (s.Pins.Count > 0 && s.OneIn(3))
        {
            TrackedPin? pin = s.OneIn(6) ? null : s.Pick(s.Pins);
            s.TestCmd(s.Fd(), OpDestroyAccessPages, pin is null ? id : JsonValue.Create($"%{pin.Access.Fd}"),
                      "destroy_access_pages", new JsonObject { ["access_pages_id"] = pin?.Id.DeepClone() ?? JsonValue.Create(s.Random.Next(0, 8)) });
            if (pin is not null)
                s.Pins.Remove(pin);
            return;
        }
        (TrackedArea? area, JsonNode iova, ulong length, string buffer, ulong offset) = AccessRange(s, access);
        uint flags = s.Random.Next(12) switch { < 7 => 0u, < 11 => AccessWrite, _ => 1u << s.Random.Next(1, 16) };
        JsonNode uptr = s.Random.Next(10) switch
        {
            0 => JsonValue.Create(0),
            1 => JsonValue.Create(At(buffer, offset + Page)),
            _ => JsonValue.Create(At(buffer, offset)),
        };
        int step = s.TestCmd(s.Fd(), OpAccessPages, id.DeepClone(), "access_pages", new JsonObject
        {
            ["flags"] = flags,
            ["iova"] = iova,
            ["length"] = length,
            ["uptr"] = uptr,
        });
        var pinned = new TrackedPin(access, Ref(step, "access_pages.out_access_pages_id"), area, buffer, offset, length);
        s.Pins.Add(pinned);
        ulong pageOffset = offset / Page * Page;
        ulong pages = (offset + Math.Max(length, 1) + Page - 1) / Page * Page - pageOffset;
        ulong size = LengthOf(buffer);
        if (pageOffset + pages > size)
            return;
        switch (s.Random.Next(5))
        {
            case 0:
                CheckRefsOf(s, buffer, pageOffset, pages, 1);
                break;
            case 2:
                s.TestCmd(s.Fd(), OpDestroyAccessPages, id.DeepClone(), "destroy_access_pages", new JsonObject { ["access_pages_id"] = pinned.Id.DeepClone() });
                s.Pins.Remove(pinned);
                break;
            case 1 when area is not null:
                s.Add("IOMMU_IOAS_UNMAP", new JsonObject { ["ioas_id"] = area.Ioas.DeepClone(), ["iova"] = area.Iova.DeepClone(), ["length"] = area.Length }, area.Fd);
                s.Areas.Remove(area);
                s.Pins.RemoveAll(p => p.Area == area);
                CheckRefsOf(s, buffer, pageOffset, pages, 0);
                s.TestCmd(OpenOr(s, access.Context), OpDestroyAccessPages, id.DeepClone(), "destroy_access_pages", new JsonObject { ["access_pages_id"] = pinned.Id.DeepClone() });
                break;
        }
    }

    /// <summary>The address of an offset in a user buffer, kept inside it (the end included).</summary>
    private static string At(string buffer, ulong offset) =>
        $"@{buffer}+{Math.Min(offset, LengthOf(buffer))}";

    private static void CheckRefsOf(SequenceState s, string buffer, ulong offset, ulong length, int refs) =>
        s.TestCmd(s.Fd(), OpCheckRefs, null, "check_refs", new JsonObject
        {
            ["uptr"] = $"@{buffer}+{offset}",
            ["length"] = length,
            ["refs"] = refs,
        });

    /// <summary>ACCESS_RW of an area's range through an access: read into the data buffer (read back) or
    /// write from it (the area's user memory read back), fast or slow path, page, IO-page or byte aligned,
    /// across the area's end, unknown flags, and now and then a zero or oversized length.</summary>
    private static void AccessRw(SequenceState s)
    {
        TrackedAccess? access = SomeAccess(s);
        if (access is null)
            return;
        (TrackedArea? _, JsonNode iova, ulong length, string buffer, ulong offset) = AccessRange(s, access);
        length = Math.Min(length, 2 * Page);
        if (s.OneIn(20))
            length = (16UL << 20) + 1;
        bool write = s.OneIn(2);
        uint flags = (write ? RwWrite : 0u) | (s.OneIn(3) ? RwSlowPath : 0u) | (s.OneIn(15) ? 2u : 0u);
        ulong data = RwData + (ulong)s.Random.Next(0, 64);
        if (write)
        {
            var bytes = new byte[Math.Min(length, 2 * Page)];
            s.Random.NextBytes(bytes);
            if (bytes.Length > 0)
                s.Steps.Add(new Traces.WriteStep(Data, data, bytes));
        }
        int fd = s.OneIn(4) ? s.Fd() : OpenOr(s, access.Context);
        s.TestCmd(fd, OpAccessRw, JsonValue.Create($"%{access.Fd}"), "access_rw", new JsonObject
        {
            ["iova"] = iova,
            ["length"] = length,
            ["uptr"] = $"@{Data}+{data}",
            ["flags"] = flags,
        });
        ulong shown = Math.Min(length, 2 * Page);
        if (shown == 0)
            return;
        if (write)
        {
            ulong size = LengthOf(buffer);
            if (offset < size)
                s.Steps.Add(new Traces.ReadStep(buffer, offset, (int)Math.Min(shown, size - offset)));
        }
        else
        {
            s.Steps.Add(new Traces.ReadStep(Data, data, (int)shown));
        }
    }

    /// <summary>The fd if it is still open, else another iommufd fd (access ops work from any).</summary>
    private static int OpenOr(SequenceState s, int fd) => s.OpenFds.Contains(fd) ? fd : s.Fd();

    /// <summary>ACCESS_REPLACE_IOAS: to another IOAS of the access's context (its pins are dropped), the same
    /// one, or a made-up or wrong-type ID.</summary>
    private static void AccessReplaceIoas(SequenceState s)
    {
        TrackedAccess? access = SomeAccess(s);
        if (access is null)
            return;
        List<TrackedObject> ioas = s.OnFd(access.Context, Ioas);
        List<TrackedObject> others = s.OnFd(access.Context, Hwpt, Selftest);
        int roll = s.Random.Next(10);
        TrackedObject? target = roll < 8 && ioas.Count > 0 ? s.Pick(ioas) : roll < 9 && others.Count > 0 ? s.Pick(others) : null;
        s.TestCmd(OpenOr(s, access.Context), OpAccessReplaceIoas, JsonValue.Create($"%{access.Fd}"), "access_replace_ioas",
                  new JsonObject { ["ioas_id"] = target?.Id.DeepClone() ?? s.MadeUpId() });
        if (target?.Kind != Ioas || target == access.Marker.Owner)
            return;
        s.Objects.Remove(access.Marker);
        access.Marker = s.Track(AccessUser, access.Context, target.Id.DeepClone(), owner: target);
        s.Pins.RemoveAll(p => p.Access == access);
    }

    /// <summary>SET_TEMP_MEMORY_LIMIT to a small valid limit around a map with a domain or a pin (the kernel
    /// batches in smaller pieces, with the same results), then back to the default: the limit is global to
    /// the kernel, so it never outlives the family.</summary>
    private static void MemoryLimit(SequenceState s)
    {
        s.TestCmd(s.Fd(), OpMemoryLimit, null, "memory_limit", new JsonObject { ["limit"] = s.Pick(new uint[] { 12, 16, 24, 100, 4096 }) });
        if (s.OneIn(2))
            Map(s);
        else
            AccessPages(s);
        s.TestCmd(s.Fd(), OpMemoryLimit, null, "memory_limit", new JsonObject { ["limit"] = DefaultMemoryLimit });
    }
}
