using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using Engine.Onion.Keys;
using Engine.Onion.Setup;
using Engine.Primitives.Aead;
using Engine.Primitives.Batching;
using Engine.Primitives.Groups;
using Engine.Primitives.Kdf;
using Engine.Primitives.Replay;
using Engine.Primitives.Schnorr;

namespace Engine.Onion.Roles;

/// <summary>What a node does with a setup packet it accepted.</summary>
public enum SetupAction
{
    /// <summary>A relay: send <c>Packet</c> to the node with handle <c>Destination</c>.</summary>
    Forward,

    /// <summary>The destination: send the ACK <c>Packet</c> back to <c>Destination</c> (the previous hop).</summary>
    Acknowledge,

    /// <summary>The destination received a data message (no packet to send).</summary>
    Deliver,

    /// <summary>A backward data packet: send <c>Packet</c> to <c>Destination</c> (the previous hop, or "client").</summary>
    Backward,
}

/// <summary>A packet to send and where to send it.</summary>
public readonly record struct Outgoing(SetupAction Action, string Destination, byte[] Packet);

/// <summary>The outcome of a setup or ACK: on Ok, the packet to send.</summary>
public readonly record struct SetupResult(EngineStatus Status, Outgoing Outgoing);

/// <summary>
/// A relay or destination of Protocol 1 (SPEC.md §1.2): processes setup packets (two variable-base
/// exponentiations: Z = W^x inside the CL decryption and K = Y^x) and ACKs, and keeps the link table. Every
/// rejected packet returns a status and leaves no state behind.
/// </summary>
/// <remarks>Thread-safe. Links expire at the time the sender put in the packet, capped at <see cref="MaxLinkLifetime"/> from their setup.</remarks>
public sealed partial class OnionNode : IDisposable
{
    private readonly CertificatelessPrivateKey _key;
    private readonly SetupLayout _layout;
    private readonly ReplayCache _replay;
    private readonly ConcurrentDictionary<UInt128, OnionLink> _byInLink = new();
    private readonly ConcurrentDictionary<UInt128, OnionLink> _byOutLink = new();
    private readonly int _maxLinks;
    private readonly int _signatureSize;

    /// <summary>A node with its full private key; <paramref name="maxLinks"/> bounds the link table and the replay cache.</summary>
    public OnionNode(CertificatelessPrivateKey key, int maxLinks = 100_000)
    {
        _key = key;
        _layout = new SetupLayout(key.PublicKey.Parameters);
        _replay = new ReplayCache(Math.Max(16, maxLinks));
        _maxLinks = maxLinks;
        _signatureSize = SchnorrSignature.SizeInBytes(key.PublicKey.Parameters.Group);
        Id = key.PublicKey.Id;
        Handle = NodeHandle.Of(key.PublicKey.Id);
    }

    /// <summary>This node's routing handle.</summary>
    public string Handle { get; }

    /// <summary>The node's identity (ID in SPEC.md §1.1), as enrolled at the KGC: for logs and metrics; packets carry only the handle.</summary>
    public string Id { get; }

    /// <summary>Packet sizes.</summary>
    public SetupLayout Layout => _layout;

    /// <summary>Links currently held.</summary>
    public int LinkCount => _byInLink.Count;

    /// <summary>The link that arrived with <paramref name="inLinkId"/>, if any.</summary>
    public OnionLink? FindByInLink(string inLinkId)
        => LinkId.TryParse(inLinkId, out UInt128 id) && _byInLink.TryGetValue(id, out OnionLink? l) ? l : null;

    /// <summary>
    /// Processes a setup packet received from <paramref name="previousHop"/>, computing its exponentiations at once.
    /// See <see cref="ProcessSetupAsync"/> for the checks and statuses.
    /// </summary>
    public EngineStatus ProcessSetup(ReadOnlySpan<byte> packet, string previousHop, DateTimeOffset now, out Outgoing outgoing)
    {
        // Without a batcher every await inside completes synchronously, so the task is already done.
        ValueTask<SetupResult> task = ProcessSetupCoreAsync(packet.ToArray(), previousHop, now, batcher: null);
        Debug.Assert(task.IsCompleted);
        SetupResult result = task.Result;
        outgoing = result.Outgoing;
        return result.Status;
    }

    /// <summary>
    /// Processes a setup packet received from <paramref name="previousHop"/>; with <see cref="Batcher"/> set, its four
    /// exponentiations (membership checks and powers of W and Y) join the batches of concurrent setups. Order of
    /// checks (STYLE.md B6): length, capacity and duplicate link id (cheap, before any exponentiation), W and Y
    /// (decoding), γ (<see cref="EngineStatus.VerificationFailed"/>), expiry (<see cref="EngineStatus.Expired"/>),
    /// replay of Y (<see cref="EngineStatus.Replay"/>); only then is state created. The packet must not change until
    /// the task completes.
    /// </summary>
    public ValueTask<SetupResult> ProcessSetupAsync(ReadOnlyMemory<byte> packet, string previousHop, DateTimeOffset now)
        => ProcessSetupCoreAsync(packet, previousHop, now, Batcher);

    /// <summary>The longest a link lives, whatever expiry its sender asked for (the relay's policy; 1 hour by default).</summary>
    public TimeSpan MaxLinkLifetime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>The batcher that setups and ACKs share on the async paths (null: compute at once).</summary>
    public ModExpBatcher? Batcher { get; init; }

    private async ValueTask<SetupResult> ProcessSetupCoreAsync(ReadOnlyMemory<byte> packet, string previousHop, DateTimeOffset now, ModExpBatcher? batcher)
    {
        if (packet.Length != _layout.SetupPacketSize) return new SetupResult(EngineStatus.BadLength, default);
        UInt128 inLinkId = LinkId.Read(packet.Span);
        // The cheap refusals come before the four exponentiations of Peel.
        if (_byInLink.Count >= _maxLinks) return new SetupResult(EngineStatus.CapacityExceeded, default);
        if (_byInLink.ContainsKey(inLinkId)) return new SetupResult(EngineStatus.Replay, default);
        byte[] next = new byte[_layout.SetupPacketSize];
        byte[] finalPayload = new byte[_layout.ClBlockSize];
        byte[] encodedY = new byte[_layout.ElementSize];
        ulong[] y = new ulong[_key.PublicKey.Parameters.Group.ElementLimbs];
        PeelResult peeled = await SetupOnion.PeelAsync(_layout, _key, packet[SetupLayout.LinkIdSize..], next.AsMemory(SetupLayout.LinkIdSize),
                                                       finalPayload, encodedY, y, batcher).ConfigureAwait(false);
        if (peeled.Status != EngineStatus.Ok) return new SetupResult(peeled.Status, default);
        RoutingInfo routing = peeled.Routing;
        HopSecrets secrets = peeled.Secrets!;

        // Compared as integers: an out-of-range expiry must not throw (DateTimeOffset would).
        long nowMs = now.ToUnixTimeMilliseconds();
        if (routing.ExpiresAtUnixMs <= nowMs) { secrets.Dispose(); return new SetupResult(EngineStatus.Expired, default); }
        // The sender picks the expiry, the relay's policy caps it: no link outlives MaxLinkLifetime (year 9027 is now + the cap).
        long expiresMs = Math.Min(routing.ExpiresAtUnixMs, nowMs + (long)MaxLinkLifetime.TotalMilliseconds);
        var expires = DateTimeOffset.FromUnixTimeMilliseconds(expiresMs);
        EngineStatus status = _replay.TryAdd(encodedY, expires, now);
        if (status != EngineStatus.Ok) { secrets.Dispose(); return new SetupResult(status, default); }

        if (routing.IsFinal) return await AcceptAsync(inLinkId, previousHop, expiresMs, secrets, encodedY, y, finalPayload, batcher).ConfigureAwait(false);

        UInt128 outLinkId = LinkId.Random();
        var link = new OnionLink(inLinkId, previousHop, outLinkId, routing.NextHandle, expiresMs, secrets, encodedY) { Y = y };
        if (!_byInLink.TryAdd(inLinkId, link)) { link.Dispose(); return new SetupResult(EngineStatus.Replay, default); }
        _byOutLink[outLinkId] = link;
        LinkId.Write(outLinkId, next);
        return new SetupResult(EngineStatus.Ok, new Outgoing(SetupAction.Forward, routing.NextHandle, next));
    }

    /// <summary>The destination accepts (step 5): X' ← Z_q*, Y' = g^X', K' = Y^X'; the ACK's first slot carries Y'.</summary>
    private async ValueTask<SetupResult> AcceptAsync(UInt128 inLinkId, string previousHop, long expiresMs, HopSecrets secrets, byte[] encodedY,
                                                     ulong[] y, byte[] finalPayload, ModExpBatcher? batcher)
    {
        var link = new OnionLink(inLinkId, previousHop, null, null, expiresMs, secrets, encodedY)
        {
            LinkVerificationKey = finalPayload[.._layout.ElementSize],
            Y = y,
        };
        if (!_byInLink.TryAdd(inLinkId, link)) { link.Dispose(); return new SetupResult(EngineStatus.Replay, default); }
        link.TryClaimAck();
        byte[] ack = new byte[_layout.AckPacketSize];
        LinkId.Write(inLinkId, ack);
        RandomNumberGenerator.Fill(ack.AsSpan(SetupLayout.LinkIdSize));
        await EstablishAndWriteSlotAsync(link, ack, batcher).ConfigureAwait(false);
        AesCtr.Xor(secrets.AckStream, 0, ack.AsSpan(SetupLayout.LinkIdSize));
        return new SetupResult(EngineStatus.Ok, new Outgoing(SetupAction.Acknowledge, previousHop, ack));
    }

    /// <summary>An ACK, computing its exponentiation at once: see <see cref="ProcessAckAsync"/>.</summary>
    public EngineStatus ProcessAck(ReadOnlySpan<byte> packet, DateTimeOffset now, out Outgoing outgoing)
    {
        ValueTask<SetupResult> task = ProcessAckCoreAsync(packet.ToArray(), now, batcher: null);
        Debug.Assert(task.IsCompleted);
        outgoing = task.Result.Outgoing;
        return task.Result.Status;
    }

    /// <summary>
    /// A relay on the way back (step 6): X'_j ← Z_q*, K'_j = Y_j^X'_j (through <see cref="Batcher"/> if set); prepend
    /// enc(Y'_j) ‖ MAC, drop the last slot, re-encrypt with the ACK keystream and send to the previous hop.
    /// <see cref="EngineStatus.BadLength"/>, <see cref="EngineStatus.Malformed"/> (unknown link),
    /// <see cref="EngineStatus.Expired"/> (the link's lifetime is over), <see cref="EngineStatus.Replay"/> (an ACK
    /// for this link was already taken).
    /// </summary>
    public ValueTask<SetupResult> ProcessAckAsync(ReadOnlyMemory<byte> packet, DateTimeOffset now) => ProcessAckCoreAsync(packet, now, Batcher);

    private async ValueTask<SetupResult> ProcessAckCoreAsync(ReadOnlyMemory<byte> packet, DateTimeOffset now, ModExpBatcher? batcher)
    {
        if (packet.Length != _layout.AckPacketSize) return new SetupResult(EngineStatus.BadLength, default);
        if (!_byOutLink.TryGetValue(LinkId.Read(packet.Span), out OnionLink? link)) return new SetupResult(EngineStatus.Malformed, default);
        if (link.ExpiresAtUnixMs <= now.ToUnixTimeMilliseconds()) return new SetupResult(EngineStatus.Expired, default);
        if (!link.TryClaimAck()) return new SetupResult(EngineStatus.Replay, default);
        byte[] ack = new byte[_layout.AckPacketSize];
        LinkId.Write(link.InId, ack);
        int slot = _layout.AckSlotSize;
        packet.Span.Slice(SetupLayout.LinkIdSize, ack.Length - SetupLayout.LinkIdSize - slot).CopyTo(ack.AsSpan(SetupLayout.LinkIdSize + slot));
        await EstablishAndWriteSlotAsync(link, ack, batcher).ConfigureAwait(false);
        AesCtr.Xor(link.Secrets.AckStream, 0, ack.AsSpan(SetupLayout.LinkIdSize));
        return new SetupResult(EngineStatus.Ok, new Outgoing(SetupAction.Acknowledge, link.PreviousHop, ack));
    }

    /// <summary>Y' = g^X', K' = Y^X' (batched when possible), the data key, and the ACK slot at the packet's front.</summary>
    private async ValueTask EstablishAndWriteSlotAsync(OnionLink link, byte[] ack, ModExpBatcher? batcher)
    {
        PrimeOrderGroup group = _key.PublicKey.Parameters.Group;
        int n = group.ElementLimbs;
        ulong[] work = new ulong[2 * n + PrimeOrderGroup.ScalarLimbs];            // Y', K', X'
        try
        {
            Memory<ulong> yPrime = work.AsMemory(0, n), kPrime = work.AsMemory(n, n), xPrime = work.AsMemory(2 * n);
            group.RandomScalar(xPrime.Span);
            group.PowGenerator(xPrime.Span, yPrime.Span);
            ValueTask pending = group.PowAsync(link.Y, xPrime.Span, kPrime, batcher);     // K'_j = Y_j^X'_j (Y_j validated at setup)
            xPrime.Span.Clear();                                                        // "then deletes X'_j"
            await pending.ConfigureAwait(false);
            byte[] encodedYPrime = new byte[_layout.ElementSize], encodedKPrime = new byte[_layout.ElementSize];
            group.Encode(yPrime.Span, encodedYPrime);
            group.Encode(kPrime.Span, encodedKPrime);
            DeriveDataKey(encodedKPrime, link.EncodedY, link.DataKeyBuffer);
            CryptographicOperations.ZeroMemory(encodedKPrime);
            SetupOnion.WriteAckSlot(link.Secrets, encodedYPrime, ack.AsSpan(SetupLayout.LinkIdSize, _layout.AckSlotSize));
            link.Keys = new Data.DataKeys(link.DataKey);
            link.IsEstablished = true;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(System.Runtime.InteropServices.MemoryMarshal.AsBytes(work.AsSpan()));
        }
    }

    /// <summary>Data-phase key of a hop: HKDF(enc(K'_j), "onion/data", enc(Y_j)).</summary>
    internal static void DeriveDataKey(ReadOnlySpan<byte> encodedKPrime, ReadOnlySpan<byte> encodedY, Span<byte> key)
        => Kdf.Derive(encodedKPrime, default, "onion/data", encodedY, key);

    /// <summary>
    /// Drops the link that arrived with the setup <paramref name="setupPacket"/> (a server that cannot reach the next
    /// hop calls this, so a refused setup leaves no state); false if there is none.
    /// </summary>
    public bool RemoveLink(ReadOnlySpan<byte> setupPacket)
    {
        if (setupPacket.Length < SetupLayout.LinkIdSize || !_byInLink.TryRemove(LinkId.Read(setupPacket), out OnionLink? link)) return false;
        if (link.OutLinkId is not null) _byOutLink.TryRemove(link.OutId, out _);
        link.Dispose();
        return true;
    }

    /// <summary>Removes links whose expiry has passed; returns how many.</summary>
    public int RemoveExpired(DateTimeOffset now)
    {
        long cutoff = now.ToUnixTimeMilliseconds();
        int removed = 0;
        foreach ((UInt128 id, OnionLink link) in _byInLink)
        {
            if (link.ExpiresAtUnixMs > cutoff || !_byInLink.TryRemove(id, out _)) continue;
            if (link.OutLinkId is not null) _byOutLink.TryRemove(link.OutId, out _);
            link.Dispose();
            removed++;
        }
        return removed;
    }

    /// <summary>Wipes every link.</summary>
    public void Dispose()
    {
        foreach (OnionLink link in _byInLink.Values) link.Dispose();
        _byInLink.Clear();
        _byOutLink.Clear();
    }
}
