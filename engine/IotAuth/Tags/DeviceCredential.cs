using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Engine.Pairing.Fields;
using Engine.Pairing.Groups;
using Engine.Pairing.Pairings;

namespace Engine.IotAuth.Tags;

/// <summary>
/// A device's authorized tag (SPEC.md §3.3 step 4): A = g1^(1/(γ+m)) with m, the epoch and nonce it was issued for,
/// and the OC's W and identifier. It keeps the precomputation of §3.4 [beyond], B = g1·A^(−m) (= A^γ), with
/// fixed-base tables for A, B and g1, so a proof costs fixed-base multiplications and one variable-base one.
/// </summary>
/// <remarks>m and the tag are what make a device's proofs its own: <see cref="Dispose"/> wipes m and the tables are dropped.</remarks>
public sealed class DeviceCredential : IDisposable
{
    private const byte FileVersion = 1;
    private readonly byte[] _m = GC.AllocateArray<byte>(IotAuthParameters.ScalarSize, pinned: true);
    private readonly byte[] _nonce;
    private readonly byte[] _operatorId;
    private G1FixedBase? _tagTable, _precomputedTable;
    private bool _disposed;

    private DeviceCredential(in G1Affine tag, in Fr m, uint epoch, ReadOnlySpan<byte> nonce, in G2Affine operatorKey, ReadOnlySpan<byte> operatorId)
    {
        Tag = tag;
        m.WriteBigEndian(_m);
        Epoch = epoch;
        _nonce = nonce.ToArray();
        OperatorKey = operatorKey;
        _operatorId = operatorId.ToArray();
    }

    /// <summary>A.</summary>
    public G1Affine Tag { get; }

    /// <summary>The epoch of the tag.</summary>
    public uint Epoch { get; }

    /// <summary>The nonce m was hashed with.</summary>
    public ReadOnlySpan<byte> Nonce => _nonce;

    /// <summary>W of the issuing OC for this epoch.</summary>
    public G2Affine OperatorKey { get; }

    /// <summary>The issuing OC's UTF-8 identifier.</summary>
    public ReadOnlySpan<byte> OperatorId => _operatorId;

    internal Fr M
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            Fr.Decode(_m, out Fr m);
            return m;
        }
    }

    /// <summary>
    /// Accepts a tag after the pairing check e(A, W·g2^m) = e(g1, g2) (SPEC.md §3.3 step 4):
    /// <see cref="EngineStatus.IdentityElement"/> for A = 1, <see cref="EngineStatus.VerificationFailed"/> for a tag that
    /// does not verify, else Ok with the credential.
    /// </summary>
    public static EngineStatus Create(in G1Affine tag, in Fr m, uint epoch, ReadOnlySpan<byte> nonce, in G2Affine operatorKey, ReadOnlySpan<byte> operatorId,
                                      out DeviceCredential? credential)
    {
        credential = null;
        if (nonce.Length != IotAuthParameters.NonceSize) return EngineStatus.BadLength;
        if (operatorId.Length is 0 or > IotAuthParameters.MaxIdentityBytes) return EngineStatus.BadLength;
        if (tag.IsIdentity || operatorKey.IsIdentity) return EngineStatus.IdentityElement;
        if (!CheckTag(tag, m, operatorKey)) return EngineStatus.VerificationFailed;
        credential = new DeviceCredential(tag, m, epoch, nonce, operatorKey, operatorId);
        return EngineStatus.Ok;
    }

    /// <summary>e(A, W·g2^m) · e(g1, g2)^(−1) = 1, as one two-pair product.</summary>
    public static bool CheckTag(in G1Affine tag, in Fr m, in G2Affine operatorKey)
    {
        G2Affine wm = (operatorKey.ToProjective() + G2FixedBase.Generator.Multiply(m)).ToAffine();
        return OptimalAte.Check([tag, G1Affine.Generator.Negate()], [wm, G2Affine.Generator]);
    }

    /// <summary>The table of A (built on first use).</summary>
    internal G1FixedBase TagTable => _tagTable ??= new G1FixedBase(Tag);

    /// <summary>The table of B = g1·A^(−m) = A^γ (built on first use, constant time in m).</summary>
    internal G1FixedBase PrecomputedTable => _precomputedTable ??= new G1FixedBase((G1Projective.Generator + Tag.ToProjective().Multiply(-M)).ToAffine());

    /// <summary>Builds the tables now (enrolment time) rather than on the first proof.</summary>
    public void Precompute()
    {
        _ = TagTable;
        _ = PrecomputedTable;
    }

    /// <summary>Bytes of <see cref="Export"/>.</summary>
    public int ExportSize => 1 + 4 + IotAuthParameters.G1Size + IotAuthParameters.ScalarSize + IotAuthParameters.NonceSize + IotAuthParameters.G2Size + 2 + _operatorId.Length;

    /// <summary>version ‖ epoch ‖ A ‖ m ‖ nonce ‖ W ‖ len ‖ OC-id, for the device's credential file (which holds m: keep it private).</summary>
    public void Export(Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (destination.Length != ExportSize) throw new ArgumentException("Wrong destination size.", nameof(destination));
        destination[0] = FileVersion;
        BinaryPrimitives.WriteUInt32BigEndian(destination[1..], Epoch);
        Tag.EncodeCompressed(destination.Slice(5, 48));
        _m.CopyTo(destination[53..]);
        _nonce.CopyTo(destination[85..]);
        OperatorKey.EncodeCompressed(destination.Slice(117, 96));
        BinaryPrimitives.WriteUInt16BigEndian(destination[213..], (ushort)_operatorId.Length);
        _operatorId.CopyTo(destination[215..]);
    }

    /// <summary>Reads <see cref="Export"/>'s bytes and re-checks the tag: the decoding or check status, or Ok.</summary>
    public static EngineStatus Import(ReadOnlySpan<byte> source, out DeviceCredential? credential)
    {
        credential = null;
        if (source.Length < 215) return EngineStatus.BadLength;
        if (source[0] != FileVersion) return EngineStatus.UnsupportedVersion;
        int idLength = BinaryPrimitives.ReadUInt16BigEndian(source[213..]);
        if (source.Length != 215 + idLength) return EngineStatus.BadLength;
        EngineStatus status = G1Affine.Decode(source.Slice(5, 48), out G1Affine tag);
        if (status != EngineStatus.Ok) return status;
        status = Fr.Decode(source.Slice(53, 32), out Fr m);
        if (status != EngineStatus.Ok) return status;
        status = G2Affine.Decode(source.Slice(117, 96), out G2Affine w);
        if (status != EngineStatus.Ok) return status;
        return Create(tag, m, BinaryPrimitives.ReadUInt32BigEndian(source[1..]), source.Slice(85, 32), w, source.Slice(215, idLength), out credential);
    }

    /// <summary>The OC identifier as text.</summary>
    public string OperatorName => Encoding.UTF8.GetString(_operatorId);

    /// <summary>Wipes m and drops the tables.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        CryptographicOperations.ZeroMemory(_m);
        _tagTable = null;
        _precomputedTable = null;
    }
}
