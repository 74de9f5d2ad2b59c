using Engine.IotAuth;
using Engine.IotAuth.Roles;
using Engine.IotAuth.Wire;
using Engine.Primitives.Encryption;
using Engine.Primitives.Schnorr;
using Engine.Tests.IotAuth;
using NUnit.Framework;

namespace Engine.Tests.Interop;

/// <summary>
/// The C ABI's "iot-cs" role (engine.h): Protocol 3's cloud server configured from JSON, evaluating a device whose
/// requests go through <c>engine_role_process</c>; configurations with bad keys are refused before anything is made.
/// </summary>
[TestFixture]
public sealed class IotRoleAbiTests
{
    /// <summary>A device's connection to a role made through the C ABI.</summary>
    private sealed class AbiIotConnection(nint connection, byte[] hello) : IIotConnection
    {
        public ReadOnlyMemory<byte> Hello { get; } = hello;

        public Task<(IotMessageType Type, byte[] Payload)> RequestAsync(IotMessageType type, byte[] payload, CancellationToken cancellationToken = default)
        {
            (EngineStatus call, _, byte reply, byte[] response) = RoleAbi.Request(connection, (byte)type, payload);
            Assert.That(call, Is.EqualTo(EngineStatus.Ok), "engine_role_process");
            return Task.FromResult(((IotMessageType)reply, response));
        }

        public ValueTask DisposeAsync()
        {
            RoleAbi.Close(connection);
            return ValueTask.CompletedTask;
        }
    }

    [Test]
    public async Task IotCloudServer_FromJson_EvaluatesADevice_AndRefusesBadKeys()
    {
        using SchnorrSigningKey cloudKey = SchnorrSigningKey.Generate(IotAuthParameters.Group), ocSigning = SchnorrSigningKey.Generate(IotAuthParameters.Group);
        using HashedElGamalKey ocEncryption = HashedElGamalKey.Generate(IotAuthParameters.Group);
        byte[] secret = new byte[32];
        cloudKey.ExportSecret(secret);
        string Config(string signing, string ocKey) => $$"""
            {"role":"iot-cs","signing_key":"{{signing}}","operation_centres":[{"id":"oc-1","signing_key":"{{ocKey}}","encryption_key":"{{Convert.ToHexString(ocEncryption.PublicKey)}}"}]}
            """;
        string good = Config(Convert.ToHexString(secret), Convert.ToHexString(ocSigning.PublicKey));

        nint host = RoleAbi.NewHost();
        try
        {
            Assert.That(RoleAbi.CreateRole(host, Config(Convert.ToHexString(new byte[32]), Convert.ToHexString(ocSigning.PublicKey)), out _), Is.Not.EqualTo(EngineStatus.Ok), "a zero signing key");
            byte[] badPoint = ocSigning.PublicKey.ToArray();
            badPoint[^1] ^= 0x5a;
            Assert.That(RoleAbi.CreateRole(host, Config(Convert.ToHexString(secret), Convert.ToHexString(badPoint)), out _), Is.Not.EqualTo(EngineStatus.Ok), "an OC key that is no group element");
            Assert.That(RoleAbi.CreateRole(host, good.Replace("\"operation_centres\"", "\"ocs\""), out _), Is.EqualTo(EngineStatus.Malformed));
            Assert.That(RoleAbi.CreateRole(host, good.Replace("}]}", "}],\"trust\":{\"attributes\":7}}"), out _), Is.EqualTo(EngineStatus.Malformed), "a trust model that does not parse");

            Assert.That(RoleAbi.CreateRole(host, good, out nint role), Is.EqualTo(EngineStatus.Ok));
            (nint connection, byte helloType, byte[] hello) = RoleAbi.Open(role);
            Assert.That((helloType, hello.Length), Is.EqualTo(((byte)0, 0)), "the cloud server sends no greeting");
            await using var toCloud = new AbiIotConnection(connection, hello);
            var entry = new OperationCenterEntry("oc-1", ocSigning.PublicKey.ToArray(), ocEncryption.PublicKey.ToArray());
            using var device = new Device("sensor-1", SchnorrSigningKey.Generate(IotAuthParameters.Group), HashedElGamalKey.Generate(IotAuthParameters.Group), entry, cloudKey.PublicKey);
            // IotNetwork.GoodAttributes: TL = 0.2·0.9 + 0.2·0.5 + 0.25·0.9 + 0.15·0.8 + 0.2·0.5 = 0.725 under the default model.
            Assert.That(await device.EvaluateAsync(toCloud, IotNetwork.GoodAttributes), Is.EqualTo(7250));

            (EngineStatus call, EngineStatus status, byte type, _) = RoleAbi.Request(connection, 250, [1, 2, 3]);
            Assert.That((call, status, type), Is.EqualTo((EngineStatus.Ok, EngineStatus.UnknownMessageType, (byte)IotMessageType.Error)));
            RoleAbi.Destroy(role);
        }
        finally { RoleAbi.DestroyHost(host); }
    }
}
