using System.Collections.Concurrent;
using System.Security.Cryptography;
using Engine.Onion.Keys;
using Engine.Onion.Setup;
using Engine.Primitives.Aead;
using Engine.Primitives.Groups;
using Engine.Primitives.Kdf;
using Engine.Primitives.Replay;

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

/// <summary>
/// A relay or destination of Protocol 1 (SPEC.md §1.2): processes setup packets (two variable-base
/// exponentiations: Z = W^x inside the CL decryption and K = Y^x) and ACKs, and keeps the link table. Every
/// rejected packet returns a status and leaves no state behind.
/// </summary>
/// <remarks>Thread-safe. Links expire at the time the sender put in the packet.</remarks>
public sealed partial class OnionNode : IDisposable
{
    private readonly CertificatelessPrivateKey _key;
    private readonly SetupLayout _layout;
    private readonly ReplayCache _replay;
    private readonly ConcurrentDictionary<string, OnionLink> _byInLink = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, OnionLink> _byOutLink = new(StringComparer.Ordinal);
    private readonly int _maxLinks;

    /// <summary>A node with its full private key; <paramref name="maxLinks"/> bounds the link table and the replay cache.</summary>
    public OnionNode(CertificatelessPrivateKey key, int maxLinks = 100_000)
    {
        _key = key;
        _layout = new SetupLayout(key.PublicKey.Parameters);
        _replay = new ReplayCache(Math.Max(16, maxLinks));
        _maxLinks = maxLinks;
        Handle = NodeHandle.Of(key.PublicKey.Id);
    }

    /// <summary>This node's routing handle.</summary>
    public string Handle { get; }

    /// <summary>Packet sizes.</summary>
    public SetupLayout Layout => _layout;

    /// <summary>Links currently held.</summary>
    public int LinkCount => _byInLink.Count;

    /// <summary>The link that arrived with <paramref name="inLinkId"/>, if any.</summary>
    public OnionLink? FindByInLink(string inLinkId) => _byInLink.TryGetValue(inLinkId, out OnionLink? l) ? l : null;

    /// <summary>
    /// Processes a setup packet received from <paramref name="previousHop"/>. Order of checks (STYLE.md B6):
    /// length, capacity and duplicate link id (cheap, before any exponentiation), CL block and Y (decoding), γ
    /// (<see cref="EngineStatus.VerificationFailed"/>), expiry (<see cref="EngineStatus.Expired"/>), replay of Y
    /// (<see cref="EngineStatus.Replay"/>); only then is state created.
    /// </summary>
    public EngineStatus ProcessSetup(ReadOnlySpan<byte> packet, string previousHop, DateTimeOffset now, out Outgoing outgoing)
    {
        outgoing = default;
        if (packet.Length != _layout.SetupPacketSize) return EngineStatus.BadLength;
        string inLinkId = Convert.ToHexStringLower(packet[..SetupLayout.LinkIdSize]);
        // The cheap refusals come before the four exponentiations of Peel.
        if (_byInLink.Count >= _maxLinks) return EngineStatus.CapacityExceeded;
        if (_byInLink.ContainsKey(inLinkId)) return EngineStatus.Replay;
        ReadOnlySpan<byte> header = packet[SetupLayout.LinkIdSize..];
        byte[] next = new byte[_layout.SetupPacketSize];
        byte[] finalPayload = new byte[_layout.ClBlockSize];
        byte[] encodedY = new byte[_layout.ElementSize];
        ulong[] y = new ulong[_key.PublicKey.Parameters.Group.ElementLimbs];
        EngineStatus status = SetupOnion.Peel(_layout, _key, header, next.AsSpan(SetupLayout.LinkIdSize), finalPayload, encodedY, y, out RoutingInfo routing, out HopSecrets? secrets);
        if (status != EngineStatus.Ok) return status;

        // Compared as integers: an out-of-range expiry must not throw (DateTimeOffset would).
        if (routing.ExpiresAtUnixMs <= now.ToUnixTimeMilliseconds()) { secrets!.Dispose(); return EngineStatus.Expired; }
        var expires = DateTimeOffset.FromUnixTimeMilliseconds(Math.Min(routing.ExpiresAtUnixMs, DateTimeOffset.MaxValue.ToUnixTimeMilliseconds()));
        status = _replay.TryAdd(encodedY, expires, now);
        if (status != EngineStatus.Ok) { secrets!.Dispose(); return status; }

        if (routing.IsFinal) return Accept(inLinkId, previousHop, routing, secrets!, encodedY, y, finalPayload, out outgoing);

        string outLinkId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(SetupLayout.LinkIdSize));
        var link = new OnionLink(inLinkId, previousHop, outLinkId, routing.NextHandle, routing.ExpiresAtUnixMs, secrets!, encodedY) { Y = y };
        if (!_byInLink.TryAdd(inLinkId, link)) { link.Dispose(); return EngineStatus.Replay; }
        _byOutLink[outLinkId] = link;
        Convert.FromHexString(outLinkId).CopyTo(next, 0);
        outgoing = new Outgoing(SetupAction.Forward, routing.NextHandle, next);
        return EngineStatus.Ok;
    }

    /// <summary>The destination accepts (step 5): X' ← Z_q*, Y' = g^X', K' = Y^X'; the ACK's first slot carries Y'.</summary>
    private EngineStatus Accept(string inLinkId, string previousHop, RoutingInfo routing, HopSecrets secrets, byte[] encodedY, ulong[] y, byte[] finalPayload, out Outgoing outgoing)
    {
        var link = new OnionLink(inLinkId, previousHop, null, null, routing.ExpiresAtUnixMs, secrets, encodedY)
        {
            LinkVerificationKey = finalPayload[.._layout.ElementSize],
            Y = y,
        };
        if (!_byInLink.TryAdd(inLinkId, link)) { link.Dispose(); outgoing = default; return EngineStatus.Replay; }
        byte[] ack = new byte[_layout.AckPacketSize];
        Convert.FromHexString(inLinkId).CopyTo(ack, 0);
        Span<byte> buffer = ack.AsSpan(SetupLayout.LinkIdSize);
        RandomNumberGenerator.Fill(buffer);
        EstablishAndWriteSlot(link, buffer[.._layout.AckSlotSize]);
        AesCtr.Xor(secrets.AckStream, 0, buffer);
        outgoing = new Outgoing(SetupAction.Acknowledge, previousHop, ack);
        return EngineStatus.Ok;
    }

    /// <summary>
    /// A relay on the way back (step 6): X'_j ← Z_q*, K'_j = Y_j^X'_j; prepend enc(Y'_j) ‖ MAC, drop the last slot,
    /// re-encrypt with the ACK keystream and send to the previous hop. <see cref="EngineStatus.BadLength"/>,
    /// <see cref="EngineStatus.Malformed"/> (unknown link), <see cref="EngineStatus.Replay"/> (already established).
    /// </summary>
    public EngineStatus ProcessAck(ReadOnlySpan<byte> packet, out Outgoing outgoing)
    {
        outgoing = default;
        if (packet.Length != _layout.AckPacketSize) return EngineStatus.BadLength;
        string outLinkId = Convert.ToHexStringLower(packet[..SetupLayout.LinkIdSize]);
        if (!_byOutLink.TryGetValue(outLinkId, out OnionLink? link)) return EngineStatus.Malformed;
        lock (link)
        {
            if (link.IsEstablished) return EngineStatus.Replay;
            byte[] ack = new byte[_layout.AckPacketSize];
            Convert.FromHexString(link.InLinkId).CopyTo(ack, 0);
            Span<byte> buffer = ack.AsSpan(SetupLayout.LinkIdSize);
            int slot = _layout.AckSlotSize;
            packet.Slice(SetupLayout.LinkIdSize, buffer.Length - slot).CopyTo(buffer[slot..]);
            EstablishAndWriteSlot(link, buffer[..slot]);
            AesCtr.Xor(link.Secrets.AckStream, 0, buffer);
            outgoing = new Outgoing(SetupAction.Acknowledge, link.PreviousHop, ack);
        }
        return EngineStatus.Ok;
    }

    private void EstablishAndWriteSlot(OnionLink link, Span<byte> slot)
    {
        PrimeOrderGroup group = _key.PublicKey.Parameters.Group;
        Span<ulong> xPrime = stackalloc ulong[PrimeOrderGroup.ScalarLimbs];
        Span<ulong> yPrime = stackalloc ulong[group.ElementLimbs], kPrime = stackalloc ulong[group.ElementLimbs];
        group.RandomScalar(xPrime);
        group.PowGenerator(xPrime, yPrime);
        group.Pow(link.Y, xPrime, kPrime);                              // K'_j = Y_j^X'_j (Y_j validated at setup)
        xPrime.Clear();                                                 // "then deletes X'_j"
        byte[] encodedYPrime = new byte[_layout.ElementSize], encodedKPrime = new byte[_layout.ElementSize];
        group.Encode(yPrime, encodedYPrime);
        group.Encode(kPrime, encodedKPrime);
        DeriveDataKey(encodedKPrime, link.EncodedY, link.DataKeyBuffer);
        CryptographicOperations.ZeroMemory(encodedKPrime);
        kPrime.Clear();
        SetupOnion.WriteAckSlot(link.Secrets, encodedYPrime, slot);
        link.Keys = new Data.DataKeys(link.DataKey);
        link.IsEstablished = true;
    }

    /// <summary>Data-phase key of a hop: HKDF(enc(K'_j), "onion/data", enc(Y_j)).</summary>
    internal static void DeriveDataKey(ReadOnlySpan<byte> encodedKPrime, ReadOnlySpan<byte> encodedY, Span<byte> key)
        => Kdf.Derive(encodedKPrime, default, "onion/data", encodedY, key);

    /// <summary>Removes links whose expiry has passed; returns how many.</summary>
    public int RemoveExpired(DateTimeOffset now)
    {
        long cutoff = now.ToUnixTimeMilliseconds();
        int removed = 0;
        foreach ((string id, OnionLink link) in _byInLink)
        {
            if (link.ExpiresAtUnixMs > cutoff || !_byInLink.TryRemove(id, out _)) continue;
            if (link.OutLinkId is not null) _byOutLink.TryRemove(link.OutLinkId, out _);
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
