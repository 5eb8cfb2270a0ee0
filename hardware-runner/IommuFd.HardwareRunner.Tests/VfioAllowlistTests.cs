using IommuFd.HardwareRunner.Probe;
using IommuFd.HardwareRunner.Tests.Support;
using IommuFd.HardwareRunner.Vfio;

namespace IommuFd.HardwareRunner.Tests;

/// <summary>Only allowlisted devices (address AND vendor:device matching) are ever written, and
/// only with host changes allowed and no dry run. Checked by diffing a fake sysfs tree.</summary>
public sealed class VfioAllowlistTests
{
    private FakeSysfs _sysfs = null!;
    private readonly List<string> _log = [];

    [SetUp]
    public void SetUp()
    {
        _sysfs = new FakeSysfs();
        _sysfs.AddDevice("0000:00:04.0", "1234", "11e8", "edu");     // allowed
        _sysfs.AddDevice("0000:00:05.0", "1234", "11e8", "edu");     // same ID, not allowed
        _sysfs.AddDevice("0000:00:06.0", "8086", "10d3", "e1000e");  // allowed address, wrong ID
        _sysfs.AddDevice("0000:00:07.0", "1234", "11e8", null);      // allowed, no driver
        _log.Clear();
    }

    [TearDown]
    public void TearDown() => _sysfs.Dispose();

    private VfioBinder Binder() => new(new HostPaths("/dev", _sysfs.Root, "/proc", "/boot", "/tmp"), _log.Add);

    private static DeviceAllowance Allow(string address, string id) => new() { Address = address, VendorDevice = id };

    private static readonly DeviceAllowance[] Allowlist = [Allow("0000:00:04.0", "1234:11e8"), Allow("0000:00:06.0", "1234:11e8"), Allow("0000:00:07.0", "1234:11e8"), Allow("0000:00:09.0", "1234:11e8")];

    private static Dictionary<string, string> Changed(Dictionary<string, string> before, Dictionary<string, string> after) =>
        after.Where(kv => !before.TryGetValue(kv.Key, out string? old) || old != kv.Value).ToDictionary();

    [Test]
    public void WithHostChangesOnlyAllowlistedMatchingDevicesAreWritten()
    {
        var before = _sysfs.Snapshot();
        VfioBinder binder = Binder();

        var changed = binder.Apply(binder.Plan(Allowlist), allowHostChanges: true, dryRun: false);

        Assert.That(changed.Select(c => c.Device.Address), Is.EqualTo(new[] { "0000:00:04.0", "0000:00:07.0" }));
        Assert.That(Changed(before, _sysfs.Snapshot()), Is.EquivalentTo(new Dictionary<string, string>
        {
            ["bus/pci/devices/0000:00:04.0/driver_override"] = "vfio-pci",
            ["bus/pci/drivers/edu/unbind"] = "0000:00:04.0",
            ["bus/pci/devices/0000:00:07.0/driver_override"] = "vfio-pci",
            ["bus/pci/drivers_probe"] = "0000:00:07.0",
        }), "drivers_probe was written for 04.0 then 07.0; nothing of 05.0 or 06.0 changed");
        Assert.That(_log, Has.Some.Contains("0000:00:06.0 is 8086:10d3, not the allowed 1234:11e8"));
        Assert.That(_log, Has.Some.Contains("no PCI device at"));
    }

    [Test]
    public void WithoutHostChangesNothingIsWritten()
    {
        var before = _sysfs.Snapshot();
        VfioBinder binder = Binder();

        var changed = binder.Apply(binder.Plan(Allowlist), allowHostChanges: false, dryRun: false);

        Assert.That(changed, Is.Empty);
        Assert.That(Changed(before, _sysfs.Snapshot()), Is.Empty);
        Assert.That(_log, Has.Some.Contains("needs --allow-host-changes"));
    }

    [Test]
    public void DryRunPrintsTheWritesAndWritesNothing()
    {
        var before = _sysfs.Snapshot();
        VfioBinder binder = Binder();

        binder.Apply(binder.Plan(Allowlist), allowHostChanges: true, dryRun: true);

        Assert.That(Changed(before, _sysfs.Snapshot()), Is.Empty);
        Assert.That(_log, Has.Some.Contains("echo vfio-pci >").And.Some.Contains("0000:00:04.0/driver_override"));
    }

    [Test]
    public void EmptyAllowlistTouchesNothing()
    {
        var before = _sysfs.Snapshot();
        VfioBinder binder = Binder();

        var changed = binder.Apply(binder.Plan([]), allowHostChanges: true, dryRun: false);

        Assert.That(changed, Is.Empty);
        Assert.That(Changed(before, _sysfs.Snapshot()), Is.Empty);
    }

    [Test]
    public void MalformedEntryIsRefusedNotGuessed()
    {
        var before = _sysfs.Snapshot();
        VfioBinder binder = Binder();

        var plan = binder.Plan([Allow("00:04.0", "1234:11e8"), Allow("0000:00:04.0", "1234:11E8")]);
        binder.Apply(plan, allowHostChanges: true, dryRun: false);

        Assert.That(plan.Select(p => p.Refusal), Is.All.Not.Null);
        Assert.That(Changed(before, _sysfs.Snapshot()), Is.Empty);
    }

    [Test]
    public void RestoreWritesOnlyTheDevicesItChanged()
    {
        VfioBinder binder = Binder();
        var changed = binder.Apply(binder.Plan(Allowlist), allowHostChanges: true, dryRun: false);
        var before = _sysfs.Snapshot();

        binder.Restore(changed);

        var writes = Changed(before, _sysfs.Snapshot());
        Assert.That(writes.Keys, Is.SubsetOf(new[]
        {
            "bus/pci/devices/0000:00:04.0/driver_override", "bus/pci/devices/0000:00:07.0/driver_override", "bus/pci/drivers_probe",
        }));
        Assert.That(writes["bus/pci/devices/0000:00:04.0/driver_override"], Is.EqualTo("\n"));
    }
}
