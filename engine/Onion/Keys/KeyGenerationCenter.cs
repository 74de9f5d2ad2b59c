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

    // The partial key issued to each identity (enc(sD) ‖ rD), kept so that a node that restarts with the same secret
    // value re-enrols and gets the same key back (pinned; wiped on Dispose).
    private readonly Dictionary<string, byte[]> _issued = new(StringComparer.Ordinal);

    /// <summary>Setup: sk_sys ← Z_q*, pk_sys = g^sk_sys, and a separate Schnorr key for signing the node list.</summary>
    public KeyGenerationCenter(OnionParameters parameters) : this(parameters, SecretScalar.Random(parameters.Group), SchnorrSigningKey.Generate(parameters.Group)) { }

    private KeyGenerationCenter(OnionParameters parameters, SecretScalar masterSecret, SchnorrSigningKey listKey)
    {
        Parameters = parameters;
        PrimeOrderGroup group = parameters.Group;
        _masterSecret = masterSecret;
        Span<ulong> pk = stackalloc ulong[group.ElementLimbs];
        group.PowGenerator(_masterSecret.Value, pk);
        _masterPublic = new byte[group.ElementSizeInBytes];
        group.Encode(pk, _masterPublic);
        _listKey = listKey;
    }

    /// <summary>
    /// A KGC restored from its saved state (a restart): sk_sys and the list key (32 bytes each, as
    /// <see cref="ExportSecrets"/> wrote them) and every identity it enrolled with the partial key it issued.
    /// Returns <see cref="EngineStatus.BadLength"/>/<see cref="EngineStatus.ScalarOutOfRange"/> for a bad secret, or
    /// <see cref="EngineStatus.Malformed"/> for an enrolment that does not belong to this state.
    /// </summary>
    public static EngineStatus Restore(OnionParameters parameters, ReadOnlySpan<byte> masterSecret, ReadOnlySpan<byte> listSecret,
                                       IEnumerable<(NodeEntry Entry, byte[] PartialKey)> enrolled, out KeyGenerationCenter? kgc)
    {
        kgc = null;
        PrimeOrderGroup group = parameters.Group;
        Span<ulong> x = stackalloc ulong[PrimeOrderGroup.ScalarLimbs];
        EngineStatus status = group.DecodeNonZeroScalar(masterSecret, x);
        if (status != EngineStatus.Ok) return status;
        var secret = SecretScalar.From(x);
        x.Clear();
        status = SchnorrSigningKey.Import(group, listSecret, out SchnorrSigningKey? listKey);
        if (status != EngineStatus.Ok) { secret.Dispose(); return status; }
        var restored = new KeyGenerationCenter(parameters, secret, listKey!);
        int partialSize = restored.PartialKeySizeInBytes;
        foreach ((NodeEntry entry, byte[] partial) in enrolled)
        {
            if (!PartialKeyHash.IsValidIdentity(entry.Id) || partial.Length != partialSize || !partial.AsSpan(0, group.ElementSizeInBytes).SequenceEqual(entry.PartialPublic))
            {
                restored.Dispose();
                return EngineStatus.Malformed;
            }
            restored._nodes[entry.Id] = entry;
            restored._issued[entry.Id] = Pinned(partial);
        }
        kgc = restored;
        return EngineStatus.Ok;
    }

    /// <summary>Writes sk_sys and the list key's secret (32 bytes each) for a store that seals them; the caller wipes the buffers.</summary>
    public void ExportSecrets(Span<byte> masterSecret, Span<byte> listSecret)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        PrimeOrderGroup.EncodeScalar(_masterSecret.Value, masterSecret);
        _listKey.ExportSecret(listSecret);
    }

    /// <summary>
    /// Called under the KGC's lock for each new enrolment with its entry and partial key, before the key is handed
    /// out: a durable store writes both here, so an identity is never answered without being recorded (throwing
    /// refuses the enrolment and records nothing).
    /// </summary>
    public EnrolmentJournal? Journal { get; set; }

    private static byte[] Pinned(ReadOnlySpan<byte> value)
    {
        byte[] copy = GC.AllocateArray<byte>(value.Length, pinned: true);
        value.CopyTo(copy);
        return copy;
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
    /// bad u, or <see cref="EngineStatus.Replay"/> if the identity already holds a key for another u (the same u gets
    /// the key it was issued, unchanged: a node that restarted with its saved secret value). The caller authenticates
    /// the requester and sends the result over a secure channel (the paper's assumption).
    /// </summary>
    /// <exception cref="ArgumentException">Wrong destination size.</exception>
    public EngineStatus IssuePartialKey(string id, ReadOnlySpan<byte> secretValue, Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (destination.Length != PartialKeySizeInBytes) throw new ArgumentException("Destination has the wrong size.", nameof(destination));
        if (!PartialKeyHash.IsValidIdentity(id)) return EngineStatus.Malformed;
        lock (_gate)
        {
            // Before any exponentiation (re-checked below). The same identity with the same u is a node that restarted:
            // it gets the key it was issued again; another u for a taken identity is refused.
            if (_nodes.TryGetValue(id, out NodeEntry? known))
            {
                if (!known.SecretValuePublic.AsSpan().SequenceEqual(secretValue)) return EngineStatus.Replay;
                _issued[id].CopyTo(destination);
                return EngineStatus.Ok;
            }
        }
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
            sDBytes.CopyTo(destination);
            PrimeOrderGroup.EncodeScalar(rD, destination[group.ElementSizeInBytes..]);
            rD.Clear();
            var entry = new NodeEntry(id, sDBytes, secretValue.ToArray());
            try { Journal?.Invoke(entry, destination); }
            catch
            {
                destination.Clear();
                throw;
            }
            _nodes[id] = entry;
            _issued[id] = Pinned(destination);
        }
        return EngineStatus.Ok;
    }

    /// <summary>
    /// Takes in enrolments another instance of this KGC made (instances that share one store, issue #17): each unknown
    /// identity is added with the partial key that instance issued, so both answer its re-enrolment and list it alike.
    /// Returns how many were new, or -1 (nothing adopted) when one does not belong to this state.
    /// </summary>
    public int Adopt(IReadOnlyList<(NodeEntry Entry, byte[] PartialKey)> enrolled)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int elementSize = Parameters.Group.ElementSizeInBytes;
        foreach ((NodeEntry entry, byte[] partial) in enrolled)
            if (!PartialKeyHash.IsValidIdentity(entry.Id) || partial.Length != PartialKeySizeInBytes || !partial.AsSpan(0, elementSize).SequenceEqual(entry.PartialPublic))
                return -1;
        int added = 0;
        lock (_gate)
            foreach ((NodeEntry entry, byte[] partial) in enrolled)
                if (_nodes.TryAdd(entry.Id, entry))
                {
                    _issued[entry.Id] = Pinned(partial);
                    added++;
                }
        return added;
    }

    /// <summary>Identities enrolled here (to ask a shared store only for the others).</summary>
    public IReadOnlyCollection<string> EnrolledIds
    {
        get { lock (_gate) return [.. _nodes.Keys]; }
    }

    /// <summary>True when <paramref name="id"/> already holds a partial key (a cheap check before any exponentiation).</summary>
    public bool IsEnrolled(string id)
    {
        lock (_gate) return _nodes.ContainsKey(id);
    }

    /// <summary>True when <paramref name="id"/> holds a partial key issued for another secret value than <paramref name="secretValue"/>.</summary>
    public bool IsEnrolledWithAnother(string id, ReadOnlySpan<byte> secretValue)
    {
        lock (_gate) return _nodes.TryGetValue(id, out NodeEntry? known) && !known.SecretValuePublic.AsSpan().SequenceEqual(secretValue);
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
        lock (_gate)
            foreach (byte[] partial in _issued.Values) System.Security.Cryptography.CryptographicOperations.ZeroMemory(partial);
    }
}

/// <summary>Records a new enrolment durably (see <see cref="KeyGenerationCenter.Journal"/>).</summary>
public delegate void EnrolmentJournal(NodeEntry entry, ReadOnlySpan<byte> partialKey);

/// <summary>One published identity: (ID, sD, u).</summary>
public sealed record NodeEntry(string Id, byte[] PartialPublic, byte[] SecretValuePublic);
