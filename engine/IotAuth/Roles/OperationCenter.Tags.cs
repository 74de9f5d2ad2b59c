using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Engine.IotAuth.Storage;
using Engine.IotAuth.Tags;
using Engine.IotAuth.Wire;
using Engine.Pairing.Fields;
using Engine.Pairing.Groups;
using Engine.Primitives.Wire;

namespace Engine.IotAuth.Roles;

public sealed partial class OperationCenter
{
    /// <summary>
    /// SPEC.md §3.3 steps 1–3: decrypts the report, checks the device's signature and T, asks the CS for the device's TL
    /// (signed query, encrypted and signed answer), refuses a disagreement or a TL below the threshold with the reason
    /// logged, and issues A = g1^(1/(γ+m)) on m = H_id(ID ‖ epoch ‖ nonce), encrypted to the device.
    /// </summary>
    private async ValueTask<(EngineStatus, IotMessageType, string?)> IssueTagAsync(ReadOnlyMemory<byte> request, IBufferWriter<byte> response, CancellationToken cancellationToken)
    {
        // The report is a sealed, signed payload: version ‖ id ‖ TL (2) ‖ T (8) ‖ σ_device.
        if (request.Length > IotWire.Sealed.Overhead + MaxReportBytes) return Refuse(EngineStatus.BadLength, "report size");
        EngineStatus status = IotWire.Sealed.Open(_encryptionKey, request.Span, "iot-auth/report", Options.Id, out byte[] report);
        if (status != EngineStatus.Ok) return Refuse(status, "report does not decrypt");
        WireReader r = IotWire.Reader(report);
        string id = r.Name();
        int tl = r.UInt16();
        ulong time = r.UInt64();
        r.Fixed(IotWire.SignatureSize);
        if (!r.AtEndOk || tl > 10_000) return Refuse(r.VersionMismatch ? EngineStatus.UnsupportedVersion : EngineStatus.Malformed, "malformed report");
        RegisteredDevice? device = Store.Find(id);
        if (device is null) return Refuse(EngineStatus.NotFound, "device not registered");
        if (!Signed.FreshMilliseconds(time, _time, Options.TimestampWindow)) return Refuse(EngineStatus.Expired, "report timestamp outside the window");
        if (time <= device.LastReport) return Refuse(EngineStatus.Replay, "report not newer than the last one");
        if ((status = Signed.Verify(report, device.SigningKey)) != EngineStatus.Ok) return Refuse(status, "device signature on the report");
        Store.Put(device with { LastReport = time });
        if (device.Revoked) return Logged(id, EngineStatus.VerificationFailed, "device revoked");

        (EngineStatus csStatus, int csTl, byte[]? csKey) = await QueryCloudAsync(id, cancellationToken).ConfigureAwait(false);
        if (csStatus != EngineStatus.Ok) return Logged(id, csStatus, $"the cloud server did not confirm a TL ({csStatus})");
        if (!csKey!.AsSpan().SequenceEqual(device.SigningKey)) return Logged(id, EngineStatus.VerificationFailed, "the cloud server knows this identifier under another key");
        if (csTl != tl) return Logged(id, EngineStatus.VerificationFailed, $"device and cloud server disagree: device reports TL {tl}, cloud server {csTl}");
        if (tl < Options.Threshold) return Logged(id, EngineStatus.VerificationFailed, $"TL {tl} is below the threshold {Options.Threshold}");

        TagKey key = Volatile.Read(ref _tagKey);
        byte[] idBytes = Encoding.UTF8.GetBytes(id);
        Span<byte> nonce = stackalloc byte[IotAuthParameters.NonceSize];
        G1Affine tag;
        Fr m;
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        do
        {
            RandomNumberGenerator.Fill(nonce);
            m = TagMessage.Compute(idBytes, key.Epoch, nonce);
        } while (key.TryIssue(m, out tag) != EngineStatus.Ok);          // m = 0 or γ + m = 0: draw a new nonce (SPEC.md §3.5)
        Interlocked.Add(ref _tagIssueTicks, System.Diagnostics.Stopwatch.GetTimestamp() - started);

        Span<byte> plaintext = stackalloc byte[IotAuthParameters.G1Size + IotAuthParameters.ScalarSize + IotAuthParameters.NonceSize + 4];
        tag.EncodeCompressed(plaintext[..48]);
        m.WriteBigEndian(plaintext.Slice(48, 32));
        nonce.CopyTo(plaintext[80..]);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(plaintext[112..], key.Epoch);
        // The answer carries the signed hello of the key's epoch, so the device checks the tag under the right W.
        byte[] hello = BuildHello(key);
        IotWire.RentWriter().UInt16((ushort)hello.Length).Fixed(hello).MoveTo(response);
        IotWire.Sealed.Seal(device.EncryptionKey, plaintext, "iot-auth/tag", id, response);
        CryptographicOperations.ZeroMemory(plaintext);
        Store.Put(Store.Find(id)! with { IssuedEpoch = key.Epoch });
        Interlocked.Increment(ref _tagsIssued);
        return (EngineStatus.Ok, IotMessageType.Tag, null);
    }

    // version ‖ id (1 + 255) ‖ TL ‖ T ‖ σ.
    private const int MaxReportBytes = 1 + 1 + IotAuthParameters.MaxIdentityBytes + 2 + 8 + IotWire.SignatureSize;

    /// <summary>Asks the CS for the device's TL: (status, TL, the signing key the CS bound to the identifier).</summary>
    private async Task<(EngineStatus, int, byte[]?)> QueryCloudAsync(string id, CancellationToken cancellationToken)
    {
        byte[] nonce = RandomNumberGenerator.GetBytes(IotAuthParameters.NonceSize);
        byte[] query = Signed.Finish(IotWire.Writer().Name(Options.Id).Name(id).Fixed(nonce).UInt64(Signed.NowMilliseconds(_time)), _signingKey);
        IotMessageType type;
        byte[] payload;
        try { (type, payload) = await _cloud.RequestAsync(IotMessageType.QueryTrust, query, cancellationToken).ConfigureAwait(false); }
        catch (Exception e) when (e is IOException or System.Threading.Channels.ChannelClosedException or System.Net.Sockets.SocketException or TimeoutException or OperationCanceledException)
        {
            return (EngineStatus.Unreachable, 0, null);
        }
        if (type == IotMessageType.Error) return (IotWire.ReadError(payload).Status, 0, null);
        if (type != IotMessageType.TrustAnswer) return (EngineStatus.Malformed, 0, null);
        EngineStatus status = IotWire.Sealed.Open(_encryptionKey, payload, "iot-auth/trust-answer", Options.Id, out byte[] answer);
        if (status != EngineStatus.Ok) return (status, 0, null);
        if ((status = Signed.Verify(answer, _cloudKey)) != EngineStatus.Ok) return (status, 0, null);
        WireReader r = IotWire.Reader(answer);
        string answeredId = r.Name();
        byte[] key = r.Fixed(IotAuthParameters.G1Size).ToArray();
        int tl = r.UInt16();
        ReadOnlySpan<byte> echoed = r.Fixed(IotAuthParameters.NonceSize);
        ulong time = r.UInt64();
        r.Fixed(IotWire.SignatureSize);
        if (!r.AtEndOk || answeredId != id || !echoed.SequenceEqual(nonce) || tl > 10_000) return (EngineStatus.Malformed, 0, null);
        if (!Signed.FreshMilliseconds(time, _time, Options.TimestampWindow)) return (EngineStatus.Expired, 0, null);
        return (EngineStatus.Ok, tl, key);
    }

    private (EngineStatus, IotMessageType, string?) Logged(string id, EngineStatus status, string reason)
    {
        Store.LogRefusal(new TagRefusal(id, status, reason, Signed.NowMilliseconds(_time)));
        return Refuse(status, reason);
    }
}
