using IommuFd.Engine.Files;
using IommuFd.Engine.IoPageTable;

namespace IommuFd.Engine;

/// <summary>
/// iommufd_ctx: the state behind one open of /dev/iommu (or iommufd's /dev/vfio/vfio). One lock
/// serialises the handlers; user memory of the argument struct is copied in before it is taken.
/// </summary>
internal sealed class IommufdContext(EngineOptions options, bool openedAsVfio, FdTable files, PinRegistry pins)
{
    /// <summary>The engine-wide page pins and locked-memory charges.</summary>
    public PinRegistry Pins { get; } = pins;

    private int _fileRefs = 1;

    /// <summary>The backend's fds, for objects that come with an fd of their own (FAULT).</summary>
    public FdTable Files { get; } = files;

    public object Lock { get; } = new();

    public EngineOptions Options { get; } = options;

    /// <summary>The dispatch table of these options (<see cref="Dispatch.Dispatcher.TableFor"/>).</summary>
    public Dispatch.IoctlOp?[] IoctlTable { get; } = Dispatch.Dispatcher.TableFor(options);

    public PlatformProfile Platform => Options.Platform;

    public ObjectTable Objects { get; } = new();

    /// <summary>The mmap offsets drivers gave out on this file (a 7.3 vIOMMU's).</summary>
    public MmapOffsets Mmaps { get; } = new(options.Platform.PageSize);

    /// <summary>Reused by COPY under the lock, so a copy allocates only its new areas.</summary>
    public List<PagesSlice> ScratchSlices { get; } = [];

    /// <summary>IOMMU_OPTION_RLIMIT_MODE: MM by default when opened as /dev/vfio/vfio.</summary>
    public PagesAccountMode AccountMode { get; set; } = openedAsVfio ? PagesAccountMode.Mm : PagesAccountMode.User;

    /// <summary>The VFIO compat IOAS (ictx->vfio_ioas).</summary>
    public Ioas? VfioIoas { get; set; }

    /// <summary>ictx->no_iommu_mode: only set by VFIO no-iommu group attach, never in this engine yet.</summary>
    public bool NoIommuMode => false;

    public Ioas? GetIoas(uint id) => (Ioas?)Objects.Get(id, ObjectType.Ioas);

    /// <summary>iommufd_object_remove for DESTROY; clears the compat IOAS pointer when it goes.</summary>
    public int Destroy(uint id)
    {
        int rc = Objects.Remove(id, out IommufdObject? removed);
        if (rc == 0 && ReferenceEquals(removed, VfioIoas))
            VfioIoas = null;
        return rc;
    }

    /// <summary>The account mode a new pages object gets (iopt_alloc_pages + the ctx upgrade to MM).</summary>
    public PagesAccountMode AccountModeForNewPages()
    {
        if (Options.CapIpcLock)
            return PagesAccountMode.None;
        return AccountMode == PagesAccountMode.Mm ? PagesAccountMode.Mm : PagesAccountMode.User;
    }

    /// <summary>iommufd_ctx_get: another file (a fault fd) keeps the context alive.</summary>
    public void Get() => Interlocked.Increment(ref _fileRefs);

    /// <summary>fput of one of the files holding the context; the last one runs the release.</summary>
    public void Put()
    {
        if (Interlocked.Decrement(ref _fileRefs) == 0)
            Release();
    }

    /// <summary>iommufd_fops_release.</summary>
    private void Release()
    {
        lock (Lock)
        {
            VfioIoas = null;
            Objects.ReleaseAll();
        }
    }
}
