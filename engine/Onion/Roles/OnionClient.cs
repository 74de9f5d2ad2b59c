using System.Security.Cryptography;
using Engine.Onion.Keys;
using Engine.Onion.Setup;
using Engine.Primitives.Aead;
using Engine.Primitives.Groups;

namespace Engine.Onion.Roles;

/// <summary>
/// The sender A of SPEC.md §1.2: builds the setup packet for a path of relays and a destination and, from the
/// ACK, derives the data keys K'_j = Y'_j^X_j of every hop (equations (7)–(8)). Per hop it spends two fixed-base
/// exponentiations (g^ω, g^X) and two variable-base ones (P^ω, P^X), with P_ID precomputed.
/// </summary>
public static class OnionClient
{
    /// <summary>
    /// Starts a link: relays in order, then the destination (2 to 9 keys). Returns the client's link (which holds
    /// the secrets X_j until <see cref="ClientLink.Complete"/>) with the packet for the first relay. A fresh
    /// per-link Schnorr key signs the data messages; its public key travels to the destination in its routing
    /// block (SPEC.md §1.3 [choice]), so only the destination can verify σ.
    /// </summary>
    /// <exception cref="ArgumentException">Path length out of range or keys of other parameters.</exception>
    public static ClientLink BeginLink(IReadOnlyList<CertificatelessPublicKey> path, DateTimeOffset expiresAt)
    {
        if (path.Count is < 2 or > SetupLayout.Slots) throw new ArgumentException("A path has 1 to 8 relays and a destination.", nameof(path));
        OnionParameters parameters = path[0].Parameters;
        if (path.Any(k => k.Parameters != parameters)) throw new ArgumentException("All keys must use the same parameters.", nameof(path));
        var layout = new SetupLayout(parameters);
        PrimeOrderGroup group = parameters.Group;
        int n = path.Count;
        var pending = new ClientLink(parameters, layout, n);
        ReadOnlySpan<byte> destinationPayload = pending.SigningKey.PublicKey;
        var secrets = new List<HopSecrets>(n);
        var clBlocks = new List<byte[]>(n);
        var handles = new List<string>(n);
        Span<ulong> y = stackalloc ulong[group.ElementLimbs], k = stackalloc ulong[group.ElementLimbs];
        for (int j = 0; j < n; j++)
        {
            Span<ulong> x = pending.Secret(j);
            group.RandomScalar(x);
            group.PowGenerator(x, y);                                   // Y_j = g^X_j
            group.Pow(path[j].Precomputed, x, k);                       // K_j = P_j^X_j
            byte[] encodedY = new byte[layout.ElementSize], encodedK = new byte[layout.ElementSize];
            group.Encode(y, encodedY);
            group.Encode(k, encodedK);
            secrets.Add(new HopSecrets(encodedK, encodedY));
            CryptographicOperations.ZeroMemory(encodedK);
            pending.EncodedY[j] = encodedY;
            byte[] cl = new byte[layout.ClBlockSize];
            CertificatelessEncryption.Encrypt(path[j], encodedY, cl, CertificatelessMode.Xor);   // CLEnc(pk_j, Y_j)
            clBlocks.Add(cl);
            handles.Add(NodeHandle.Of(path[j].Id));
        }
        k.Clear();
        pending.Secrets = secrets;
        RandomNumberGenerator.Fill(pending.Packet.AsSpan(0, SetupLayout.LinkIdSize));
        SetupOnion.Build(layout, secrets, clBlocks, handles, expiresAt.ToUnixTimeMilliseconds(), destinationPayload, pending.Packet.AsSpan(SetupLayout.LinkIdSize));
        return pending;
    }
}

/// <summary>
/// A link the client has started: the setup packet, the per-hop secrets X_j (pinned, wiped on completion or
/// <see cref="Dispose"/>) and, after <see cref="Complete"/>, the data key of every hop.
/// </summary>
public sealed partial class ClientLink : IDisposable
{
    private readonly ulong[] _x;
    private readonly byte[][] _dataKeys;
    private bool _disposed;

    internal ClientLink(OnionParameters parameters, SetupLayout layout, int hops)
    {
        SigningKey = Primitives.Schnorr.SchnorrSigningKey.Generate(parameters.Group);
        Parameters = parameters;
        Layout = layout;
        Hops = hops;
        _x = GC.AllocateArray<ulong>(hops * PrimeOrderGroup.ScalarLimbs, pinned: true);
        EncodedY = new byte[hops][];
        _dataKeys = new byte[hops][];
        Packet = new byte[layout.SetupPacketSize];
        Secrets = [];
    }

    /// <summary>The parameters.</summary>
    public OnionParameters Parameters { get; }

    /// <summary>Packet sizes.</summary>
    public SetupLayout Layout { get; }

    /// <summary>Relays plus destination.</summary>
    public int Hops { get; }

    /// <summary>The setup packet for the first relay (its first 16 bytes are the first hop's link id).</summary>
    public byte[] Packet { get; }

    /// <summary>The link id on the first hop.</summary>
    public string FirstLinkId => Convert.ToHexStringLower(Packet.AsSpan(0, SetupLayout.LinkIdSize));

    /// <summary>True after a successful <see cref="Complete"/>.</summary>
    public bool IsEstablished { get; private set; }

    internal byte[][] EncodedY { get; }
    internal Primitives.Schnorr.SchnorrSigningKey SigningKey { get; }
    private Data.DataKeys[] _keys = [];
    private ulong _sentSequence, _receivedSequence;
    internal IReadOnlyList<HopSecrets> Secrets { get; set; }
    internal Span<ulong> Secret(int hop) => _x.AsSpan(hop * PrimeOrderGroup.ScalarLimbs, PrimeOrderGroup.ScalarLimbs);

    /// <summary>The data key of hop <paramref name="hop"/> (0 = first relay, Hops − 1 = destination).</summary>
    internal ReadOnlySpan<byte> DataKey(int hop) => _dataKeys[hop];

    /// <summary>
    /// Processes the ACK (step 7): peels each hop's keystream, checks each slot's MAC, and computes K'_j = Y'_j^X_j.
    /// <see cref="EngineStatus.BadLength"/>, <see cref="EngineStatus.Malformed"/> (wrong link id),
    /// <see cref="EngineStatus.VerificationFailed"/> (a slot's MAC), a decoding status of Y'_j, or Ok. The
    /// secrets X_j are wiped on success.
    /// </summary>
    public EngineStatus Complete(ReadOnlySpan<byte> ackPacket)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (IsEstablished) return EngineStatus.Replay;
        if (ackPacket.Length != Layout.AckPacketSize) return EngineStatus.BadLength;
        if (!ackPacket[..SetupLayout.LinkIdSize].SequenceEqual(Packet.AsSpan(0, SetupLayout.LinkIdSize))) return EngineStatus.Malformed;
        PrimeOrderGroup group = Parameters.Group;
        int slot = Layout.AckSlotSize, e = Layout.ElementSize;
        byte[] buffer = ackPacket[SetupLayout.LinkIdSize..].ToArray();
        var keys = new byte[Hops][];
        Span<ulong> yPrime = stackalloc ulong[group.ElementLimbs], kPrime = stackalloc ulong[group.ElementLimbs];
        Span<byte> mac = stackalloc byte[SetupLayout.MacSize];
        byte[] encodedKPrime = new byte[e];
        int remaining = buffer.Length;
        bool complete = false;
        try
        {
            for (int j = 0; j < Hops; j++)
            {
                AesCtr.Xor(Secrets[j].AckStream, 0, buffer.AsSpan(0, remaining));
                ReadOnlySpan<byte> encodedYPrime = buffer.AsSpan(0, e);
                SetupOnion.AckMac(Secrets[j], encodedYPrime, mac);
                if (!CryptographicOperations.FixedTimeEquals(mac, buffer.AsSpan(e, SetupLayout.MacSize))) return EngineStatus.VerificationFailed;
                EngineStatus status = group.Decode(encodedYPrime, yPrime);
                if (status != EngineStatus.Ok) return status;
                group.Pow(yPrime, Secret(j), kPrime);                              // K'_j = Y'_j^X_j
                group.Encode(kPrime, encodedKPrime);
                keys[j] = new byte[32];
                OnionNode.DeriveDataKey(encodedKPrime, EncodedY[j], keys[j]);
                buffer.AsSpan(slot, remaining - slot).CopyTo(buffer);               // shift: the inner slots move up
                remaining -= slot;
            }
            complete = true;
        }
        finally
        {
            // A refused ACK leaves nothing behind: the keys of the hops already peeled are wiped with the rest.
            kPrime.Clear();
            CryptographicOperations.ZeroMemory(encodedKPrime);
            CryptographicOperations.ZeroMemory(buffer);
            if (!complete) foreach (byte[]? k in keys) if (k is not null) CryptographicOperations.ZeroMemory(k);
        }
        keys.CopyTo(_dataKeys, 0);
        _keys = keys.Select(k => new Data.DataKeys(k)).ToArray();
        IsEstablished = true;
        CryptographicOperations.ZeroMemory(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_x.AsSpan()));
        return EngineStatus.Ok;
    }

    /// <summary>Wipes X_j, the setup secrets and the data keys.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        CryptographicOperations.ZeroMemory(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_x.AsSpan()));
        foreach (HopSecrets s in Secrets) s.Dispose();
        foreach (byte[]? k in _dataKeys) if (k is not null) CryptographicOperations.ZeroMemory(k);
        foreach (Data.DataKeys k in _keys) k.Dispose();
        SigningKey.Dispose();
    }
}
