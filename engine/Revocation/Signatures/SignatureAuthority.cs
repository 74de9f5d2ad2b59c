using System.Security.Cryptography;
using Engine.Pairing.Fields;
using Engine.Pairing.Groups;
using Engine.Primitives.Wire;
using Engine.Revocation.Wire;

namespace Engine.Revocation.Signatures;

/// <summary>
/// The signature authority of MPR attribute-based ring signatures (SPEC §4.1, 4.3, 4.6): MSK = (a0, a, b, c), one ring
/// whose members it enrols with their attributes, signing keys per member and epoch, and revocation (the next epoch,
/// every remaining member re-keyed). Thread-safe; <see cref="Dispose"/> wipes the secrets.
/// </summary>
public sealed class SignatureAuthority : IDisposable
{
    /// <summary>The default t_max: ring policies of up to 128 columns.</summary>
    public const int DefaultMaxColumns = 128;

    /// <summary>The default |Ω| = d − 1 = 15: "k of ring" for k ≤ 16.</summary>
    public const int DefaultDefaultCount = 15;

    private readonly object _gate = new();
    private readonly Fr[] _secret = GC.AllocateArray<Fr>(4, pinned: true);             // a0, a, b, c
    private readonly Dictionary<string, IReadOnlyList<string>> _members = new(StringComparer.Ordinal);
    private readonly string _ringId;
    private ulong _epoch;
    private Ring? _ring;                                                           // a snapshot, rebuilt on the first read after a change

    private SignatureAuthority(string name, string ringId, ulong epoch, ReadOnlySpan<Fr> secret, RingPublicKey publicKey)
    {
        Name = name;
        secret.CopyTo(_secret);
        PublicKey = publicKey;
        _ringId = ringId;
        _epoch = epoch;
    }

    /// <summary>The authority's name (also the authority of the default attributes).</summary>
    public string Name { get; }

    /// <summary>The public key.</summary>
    public RingPublicKey PublicKey { get; }

    /// <summary>The ring at its current epoch.</summary>
    public Ring Ring
    {
        get { lock (_gate) return _ring ??= new Ring(_ringId, _epoch, new Dictionary<string, IReadOnlyList<string>>(_members, StringComparer.Ordinal)); }
    }

    /// <summary>Setup: a0, a, b, c ← Z_r*, C = g1^c, A0 = h0^a0, Aj = hj^a, Bj = hj^b for j = 1 … t_max.</summary>
    public static SignatureAuthority Create(string name, string ringId, int maxColumns = DefaultMaxColumns, int defaultCount = DefaultDefaultCount)
    {
        if (maxColumns < 1 || maxColumns > RingPublicKey.MaxColumnsLimit) throw new ArgumentOutOfRangeException(nameof(maxColumns));
        if (defaultCount < 0 || defaultCount > 255) throw new ArgumentOutOfRangeException(nameof(defaultCount));
        Span<Fr> secret = [Fr.RandomNonZero(), Fr.RandomNonZero(), Fr.RandomNonZero(), Fr.RandomNonZero()];
        try { return new SignatureAuthority(name, ringId, 0, secret, BuildPublicKey(name, maxColumns, defaultCount, secret)); }
        finally { CryptographicOperations.ZeroMemory(System.Runtime.InteropServices.MemoryMarshal.AsBytes(secret)); }
    }

    private static RingPublicKey BuildPublicKey(string name, int columns, int defaults, ReadOnlySpan<Fr> secret)
    {
        var a = new G2Projective[columns];
        var b = new G2Projective[columns];
        for (int j = 0; j < columns; j++)
        {
            G2Projective h = RingPublicKey.Base(name, j + 1).ToProjective();
            a[j] = h.Multiply(secret[1]);
            b[j] = h.Multiply(secret[2]);
        }
        var aAffine = new G2Affine[columns];
        var bAffine = new G2Affine[columns];
        G2Projective.BatchToAffine(a, aAffine);
        G2Projective.BatchToAffine(b, bAffine);
        G1Affine c = G1FixedBase.Generator.Multiply(secret[3]).ToAffine();
        G2Affine a0 = RingPublicKey.Base(name, 0).ToProjective().Multiply(secret[0]).ToAffine();
        return new RingPublicKey(name, defaults, c, a0, aAffine, bAffine);
    }

    /// <summary>
    /// Enrols <paramref name="gid"/> with its attributes (the ring grows by them) and issues its key for the current
    /// epoch. Enrolling again replaces the member's attributes and issues a new key.
    /// </summary>
    /// <exception cref="ArgumentException">A malformed GID or attribute, or a reserved default attribute.</exception>
    public RingSigningKey Enrol(string gid, IReadOnlyCollection<string> attributes)
    {
        lock (_gate)
        {
            AddMember(gid, attributes);
            return IssueKey(gid);
        }
    }

    /// <summary>Enrols <paramref name="gid"/> with its attributes without issuing a key (the member asks for it later).</summary>
    /// <exception cref="ArgumentException">A malformed GID or attribute, or a reserved default attribute.</exception>
    public void AddMember(string gid, IReadOnlyCollection<string> attributes)
    {
        RevocationParameters.CheckGid(gid);
        foreach (string attribute in attributes)
        {
            RevocationParameters.AuthorityOf(attribute);
            if (attribute.StartsWith("default-", StringComparison.Ordinal) && attribute.EndsWith("@" + Name, StringComparison.Ordinal))
                throw new ArgumentException($"{attribute} is reserved for the default attribute set Ω.", nameof(attributes));
        }
        lock (_gate)
        {
            if (!_members.ContainsKey(gid) && _members.Count >= Ring.MaxMembers) throw new EngineException(EngineStatus.CapacityExceeded, "The ring is full.");
            _members[gid] = [.. attributes.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
            _ring = null;
        }
    }

    /// <summary>True when <paramref name="gid"/> is a member (without building a ring snapshot).</summary>
    public bool IsMember(string gid)
    {
        lock (_gate) return _members.ContainsKey(gid);
    }

    /// <summary>A fresh key for a member at the current epoch (K_base ← G1 anew).</summary>
    /// <exception cref="EngineException"><see cref="EngineStatus.NotFound"/>: not a member.</exception>
    public RingSigningKey IssueKey(string gid)
    {
        lock (_gate)
        {
            if (!_members.TryGetValue(gid, out IReadOnlyList<string>? attributes)) throw new EngineException(EngineStatus.NotFound, $"{gid} is not a member of ring {_ringId}.");
            Fr r = Fr.RandomNonZero();
            G1Projective kBase = G1FixedBase.Generator.Multiply(r);
            var keys = new Dictionary<string, G1Affine>(StringComparer.Ordinal);
            foreach (string attribute in attributes.Concat(Enumerable.Range(1, PublicKey.DefaultCount).Select(PublicKey.DefaultAttribute)))
            {
                Fr u = RingHashes.Attribute(attribute, _ringId, _epoch);
                Fr exponent = r * (_secret[1] + _secret[2] * u).Invert();       // K_base^(1/(a + b·û)), K_base = g1^r
                keys[attribute] = G1FixedBase.Generator.Multiply(exponent).ToAffine();
            }
            G1Affine k0 = G1FixedBase.Generator.Multiply(r * _secret[0].Invert()).ToAffine();
            return new RingSigningKey(gid, _ringId, _epoch, kBase.ToAffine(), k0, keys);
        }
    }

    /// <summary>
    /// Revokes a member (SPEC §4.6, signing side): R' = the remaining members' attributes, epoch + 1, and a new key for
    /// every remaining member (û depends on the epoch, so every old key, the revoked one's included, stops verifying).
    /// </summary>
    /// <exception cref="EngineException"><see cref="EngineStatus.NotFound"/>: not a member.</exception>
    public IReadOnlyList<RingSigningKey> Revoke(string gid)
    {
        lock (_gate)
        {
            if (!_members.Remove(gid)) throw new EngineException(EngineStatus.NotFound, $"{gid} is not a member of ring {_ringId}.");
            _epoch++;
            _ring = null;
            return [.. _members.Keys.Order(StringComparer.Ordinal).Select(IssueKey)];
        }
    }

    /// <summary>The secret state for a key file: name, MSK, t_max, |Ω| and the ring.</summary>
    public byte[] ExportSecret()
    {
        lock (_gate)
        {
            var w = new WireWriter(RevocationParameters.Version).Name(Name).UInt16((ushort)PublicKey.MaxColumns).UInt16((ushort)PublicKey.DefaultCount);
            foreach (Fr s in _secret) PointCodec.Write(w, s);
            w.Blob(Ring.Encode());
            return w.ToArrayAndWipe();
        }
    }

    /// <summary>Restores an authority from <see cref="ExportSecret"/> (recomputes the public key).</summary>
    public static EngineStatus Import(ReadOnlySpan<byte> secret, out SignatureAuthority? authority)
    {
        authority = null;
        var r = new WireReader(secret, RevocationParameters.Version);
        if (r.VersionMismatch) return EngineStatus.UnsupportedVersion;
        string name = r.Name();
        int columns = r.UInt16(), defaults = r.UInt16();
        EngineStatus status = EngineStatus.Ok;
        Span<Fr> msk = stackalloc Fr[4];
        for (int i = 0; i < 4; i++) msk[i] = PointCodec.ReadScalar(ref r, ref status);
        ReadOnlySpan<byte> ringBytes = r.Blob(64 * 1024 * 1024);
        if (status != EngineStatus.Ok) return status;
        if (!r.AtEndOk || columns == 0 || columns > RingPublicKey.MaxColumnsLimit) return EngineStatus.Malformed;
        status = Ring.Decode(ringBytes, out Ring? ring);
        if (status != EngineStatus.Ok) return status;
        foreach (Fr s in msk) if (s.IsZero) return EngineStatus.ScalarOutOfRange;
        var result = new SignatureAuthority(name, ring!.Id, ring.Epoch, msk, BuildPublicKey(name, columns, defaults, msk));
        foreach ((string gid, IReadOnlyList<string> attributes) in ring.Members) result._members[gid] = attributes;
        CryptographicOperations.ZeroMemory(System.Runtime.InteropServices.MemoryMarshal.AsBytes(msk));
        authority = result;
        return EngineStatus.Ok;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_gate) CryptographicOperations.ZeroMemory(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_secret.AsSpan()));
    }
}
