using Engine.Primitives.Groups;
using Engine.Primitives.Schnorr;

namespace Engine.Onion.Keys;

/// <summary>
/// The key generation centre of SPEC.md §1.1: holds sk_sys, issues partial private keys bound to (ID, u), and
/// publishes the Schnorr-signed public node list. The master key is pinned and wiped on <see cref="Dispose"/>.
/// </summary>
/// <remarks>Thread-safe: issuing keys and publishing the list may run concurrently.</remarks>
public sealed class KeyGenerationCenter : IDisposable
{
    private readonly SecretScalar _masterSecret;
    private readonly SchnorrSigningKey _listKey;
    private readonly byte[] _masterPublic;
    private readonly Dictionary<string, NodeEntry> _nodes = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private bool _disposed;

    /// <summary>Setup: sk_sys ← Z_q*, pk_sys = g^sk_sys, and a separate Schnorr key for signing the node list.</summary>
    public KeyGenerationCenter(OnionParameters parameters)
    {
        Parameters = parameters;
        PrimeOrderGroup group = parameters.Group;
        _masterSecret = SecretScalar.Random(group);
        Span<ulong> pk = stackalloc ulong[group.ElementLimbs];
        group.PowGenerator(_masterSecret.Value, pk);
        _masterPublic = new byte[group.ElementSizeInBytes];
        group.Encode(pk, _masterPublic);
        _listKey = SchnorrSigningKey.Generate(group);
    }

    /// <summary>The parameters.</summary>
    public OnionParameters Parameters { get; }

    /// <summary>pk_sys, encoded.</summary>
    public ReadOnlySpan<byte> MasterPublicKey => _masterPublic;

    /// <summary>The public key that signs the node list, encoded.</summary>
    public ReadOnlySpan<byte> ListSigningKey => _listKey.PublicKey;

    /// <summary>Size of a partial private key on the wire: enc(sD) ‖ rD.</summary>
    public int PartialKeySizeInBytes => Parameters.Group.ElementSizeInBytes + PrimeOrderGroup.ScalarSizeInBytes;

    /// <summary>
    /// Partial private key extraction for an identity that presented its secret value u:
    /// k ← Z_q*, sD = g^k, h = H1(ID ‖ sD ‖ u), rD = k + sk_sys·h; writes enc(sD) ‖ rD and records (ID, sD, u) for the
    /// public list. Returns <see cref="EngineStatus.Malformed"/> for an unusable identity, the decoding status of a
    /// bad u, or <see cref="EngineStatus.Replay"/> if the identity already holds a key. The caller authenticates
    /// the requester and sends the result over a secure channel (the paper's assumption).
    /// </summary>
    /// <exception cref="ArgumentException">Wrong destination size.</exception>
    public EngineStatus IssuePartialKey(string id, ReadOnlySpan<byte> secretValue, Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (destination.Length != PartialKeySizeInBytes) throw new ArgumentException("Destination has the wrong size.", nameof(destination));
        if (!PartialKeyHash.IsValidIdentity(id)) return EngineStatus.Malformed;
        lock (_gate) if (_nodes.ContainsKey(id)) return EngineStatus.Replay;     // before any exponentiation; re-checked below
        PrimeOrderGroup group = Parameters.Group;
        Span<ulong> u = stackalloc ulong[group.ElementLimbs], sD = stackalloc ulong[group.ElementLimbs];
        EngineStatus status = group.Decode(secretValue, u);
        if (status != EngineStatus.Ok) return status;

        Span<ulong> k = stackalloc ulong[PrimeOrderGroup.ScalarLimbs], h = stackalloc ulong[PrimeOrderGroup.ScalarLimbs], rD = stackalloc ulong[PrimeOrderGroup.ScalarLimbs];
        group.RandomScalar(k);
        group.PowGenerator(k, sD);
        byte[] sDBytes = new byte[group.ElementSizeInBytes];
        group.Encode(sD, sDBytes);
        PartialKeyHash.Compute(Parameters, id, sDBytes, secretValue, h);
        group.ScalarMultiply(_masterSecret.Value, h, rD);
        group.ScalarAdd(rD, k, rD);
        k.Clear();

        lock (_gate)
        {
            if (_nodes.ContainsKey(id))
            {
                rD.Clear();
                return EngineStatus.Replay;
            }
            _nodes[id] = new NodeEntry(id, sDBytes, secretValue.ToArray());
        }
        sDBytes.CopyTo(destination);
        PrimeOrderGroup.EncodeScalar(rD, destination[group.ElementSizeInBytes..]);
        rD.Clear();
        return EngineStatus.Ok;
    }

    /// <summary>True when <paramref name="id"/> already holds a partial key (a cheap check before any exponentiation).</summary>
    public bool IsEnrolled(string id)
    {
        lock (_gate) return _nodes.ContainsKey(id);
    }

    /// <summary>The current public node list, signed (see <see cref="PublicNodeList"/>).</summary>
    public byte[] PublishNodeList()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        NodeEntry[] entries;
        lock (_gate) entries = _nodes.Values.OrderBy(e => e.Id, StringComparer.Ordinal).ToArray();
        return PublicNodeList.Build(Parameters, entries, _listKey);
    }

    /// <summary>Wipes sk_sys and the list key.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _masterSecret.Dispose();
        _listKey.Dispose();
    }
}

/// <summary>One published identity: (ID, sD, u).</summary>
public sealed record NodeEntry(string Id, byte[] PartialPublic, byte[] SecretValuePublic);
