using Engine.Hosting.Roles;
using System.Security.Cryptography;
using Engine.IotAuth;
using Engine.IotAuth.Auth;
using Engine.IotAuth.Roles;
using Engine.IotAuth.Tags;
using Engine.IotAuth.Trust;
using Engine.Primitives.Encryption;
using Engine.Primitives.Schnorr;
using NUnit.Framework;

namespace Engine.Tests.IotAuth;

/// <summary>A clock the test moves by hand.</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;

    public void Advance(TimeSpan by) => Now += by;
}

/// <summary>A CS, an OC and a factory of devices in one process, over in-process connections.</summary>
internal sealed class IotNetwork : IAsyncDisposable
{
    public readonly ManualClock Clock = new(DateTimeOffset.UtcNow);
    public readonly byte[] EnrolmentKey = RandomNumberGenerator.GetBytes(32), AdminKey = RandomNumberGenerator.GetBytes(32);
    public readonly SchnorrSigningKey CloudKey = SchnorrSigningKey.Generate(IotAuthParameters.Group);
    public readonly SchnorrSigningKey OcSigning = SchnorrSigningKey.Generate(IotAuthParameters.Group);
    public readonly HashedElGamalKey OcEncryption = HashedElGamalKey.Generate(IotAuthParameters.Group);
    public readonly CloudServer Cloud;
    public readonly OperationCenter Oc;
    public readonly ProofBatcher? Batcher;
    public readonly IIotConnection ToCloud, ToOc;
    private readonly List<Device> _devices = [];
    private readonly bool _ownsBatcher;

    /// <summary>A network; with a <paramref name="host"/>, the OC's proofs go through the host's proof batcher.</summary>
    public IotNetwork(bool batching = false, int threshold = 6000, Engine.Hosting.EngineHost? host = null,
                      Engine.IotAuth.Storage.IOperationCenterStore? store = null, Engine.IotAuth.Storage.IOperationCenterSharedState? shared = null)
    {
        var entry = new OperationCenterEntry("oc-1", OcSigning.PublicKey.ToArray(), OcEncryption.PublicKey.ToArray());
        Cloud = new CloudServer(TrustConfiguration.Default, CloudKey, [entry], timeProvider: Clock);
        ToCloud = new InProcessIotConnection(Cloud);
        if (host is not null) Batcher = host.ProofBatcher;
        else if (batching) (Batcher, _ownsBatcher) = (new ProofBatcher(new() { MaxBatch = 32, MaxDelay = TimeSpan.FromMilliseconds(20), Workers = 1 }), true);
        Oc = new OperationCenter(new OperationCenterOptions { Id = "oc-1", Threshold = threshold }, OcSigning, OcEncryption, TagKey.Generate(1),
                                 EnrolmentKey, AdminKey, ToCloud, CloudKey.PublicKey, store, timeProvider: Clock) { Batcher = Batcher, SharedState = shared };
        ToOc = new InProcessIotConnection(Oc);
    }

    /// <summary>Another instance of the same OC (the same keys and γ) over <paramref name="store"/> and <paramref name="shared"/>: what a second OC process runs.</summary>
    public OperationCenter NewInstance(Engine.IotAuth.Storage.IOperationCenterStore store, Engine.IotAuth.Storage.IOperationCenterSharedState shared, byte[]? adminKey = null)
    {
        byte[] gamma = new byte[32];
        uint epoch = Oc.ExportTagKey(gamma);
        Assert.That(TagKey.Import(epoch, gamma, out TagKey? tagKey), Is.EqualTo(EngineStatus.Ok));
        CryptographicOperations.ZeroMemory(gamma);
        var instance = new OperationCenter(Oc.Options, OcSigning, OcEncryption, tagKey!, EnrolmentKey, adminKey ?? AdminKey, ToCloud, CloudKey.PublicKey, store, timeProvider: Clock)
        {
            SharedState = shared,
        };
        _instances.Add(instance);
        return instance;
    }

    private readonly List<OperationCenter> _instances = [];

    /// <summary>Good attributes: TL = 0.2·0.9 + 0.2·0.5 + 0.25·0.9 + 0.15·0.8 + 0.2·0.5 = 0.725 → 7250.</summary>
    public static AttributeValue[] GoodAttributes =>
        [new("battery-percent", 90), new("uptime-hours", 360), new("packet-loss-percent", 2), new("firmware-age-days", 73)];

    /// <summary>Poor attributes: TL = 0.2·0.1 + 0 + 0.25·0.25 + 0 + 0.2·0.5 = 0.1825 → 1825.</summary>
    public static AttributeValue[] PoorAttributes =>
        [new("battery-percent", 10), new("uptime-hours", 0), new("packet-loss-percent", 15), new("firmware-age-days", 400)];

    public Device NewDevice(string id)
    {
        var device = new Device(id, SchnorrSigningKey.Generate(IotAuthParameters.Group), HashedElGamalKey.Generate(IotAuthParameters.Group), Oc.Entry, CloudKey.PublicKey, Clock);
        _devices.Add(device);
        return device;
    }

    /// <summary>Evaluate, register, tag: a device ready to authenticate.</summary>
    public async Task<Device> EnrolledDevice(string id)
    {
        Device device = NewDevice(id);
        int tl = await device.EvaluateAsync(ToCloud, GoodAttributes);
        await device.RegisterAsync(ToOc, EnrolmentKey);
        await device.RequestTagAsync(ToOc, tl);
        return device;
    }

    public ValueTask DisposeAsync()
    {
        foreach (Device d in _devices) d.Dispose();
        foreach (OperationCenter instance in _instances) instance.Dispose();
        Oc.Dispose();
        if (_ownsBatcher) Batcher?.Dispose();
        return ValueTask.CompletedTask;
    }
}
