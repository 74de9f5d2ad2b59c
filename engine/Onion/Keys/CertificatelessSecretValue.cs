using Engine.Primitives.Groups;

namespace Engine.Onion.Keys;

/// <summary>
/// A user's secret value t with u = g^t (SPEC.md §1.1 "Set secret value"): u goes to the KGC with the identity,
/// and the KGC's partial key then completes the private key. t is pinned and wiped on <see cref="Dispose"/>.
/// </summary>
public sealed class CertificatelessSecretValue : IDisposable
{
    private readonly SecretScalar _t;
    private readonly byte[] _u;

    /// <summary>t ← Z_q*, u = g^t.</summary>
    public CertificatelessSecretValue(OnionParameters parameters, string id) : this(parameters, id, SecretScalar.Random(parameters.Group)) { }

    /// <summary>
    /// The secret value a node saved (32 bytes, as <see cref="ExportSecret"/> wrote it): a restarted node keeps its u,
    /// so the KGC hands back the same partial key and the published list is unchanged. <see cref="EngineStatus.BadLength"/>
    /// or <see cref="EngineStatus.ScalarOutOfRange"/> for bytes that are not a secret value.
    /// </summary>
    /// <exception cref="ArgumentException">The identity is not 1 to 255 UTF-8 bytes.</exception>
    public static EngineStatus Restore(OnionParameters parameters, string id, ReadOnlySpan<byte> secret, out CertificatelessSecretValue? value)
    {
        value = null;
        Span<ulong> t = stackalloc ulong[PrimeOrderGroup.ScalarLimbs];
        EngineStatus status = parameters.Group.DecodeNonZeroScalar(secret, t);
        if (status == EngineStatus.Ok) value = new CertificatelessSecretValue(parameters, id, SecretScalar.From(t));
        t.Clear();
        return status;
    }

    /// <summary>t, for the enrolment channel's key (throws once disposed).</summary>
    internal ReadOnlySpan<ulong> Secret => _t.Value;

    /// <summary>Writes t (32 bytes) for the node's key file; the caller protects and wipes the buffer.</summary>
    public void ExportSecret(Span<byte> destination) => PrimeOrderGroup.EncodeScalar(_t.Value, destination);

    private CertificatelessSecretValue(OnionParameters parameters, string id, SecretScalar t)
    {
        if (!PartialKeyHash.IsValidIdentity(id)) { t.Dispose(); throw new ArgumentException("An identity is 1 to 255 UTF-8 bytes.", nameof(id)); }
        Parameters = parameters;
        Id = id;
        PrimeOrderGroup group = parameters.Group;
        _t = t;
        Span<ulong> u = stackalloc ulong[group.ElementLimbs];
        group.PowGenerator(_t.Value, u);
        _u = new byte[group.ElementSizeInBytes];
        group.Encode(u, _u);
    }

    /// <summary>The parameters.</summary>
    public OnionParameters Parameters { get; }

    /// <summary>The identity.</summary>
    public string Id { get; }

    /// <summary>u = g^t, encoded: sent to the KGC.</summary>
    public ReadOnlySpan<byte> PublicValue => _u;

    /// <summary>
    /// Completes the private key with the KGC's partial key enc(sD) ‖ rD after checking g^rD = sD·pk_sys^h
    /// (SPEC.md §1.1 [beyond]). Returns <see cref="EngineStatus.BadLength"/>, a decoding status,
    /// <see cref="EngineStatus.VerificationFailed"/> for a partial key that does not match, or Ok.
    /// </summary>
    public EngineStatus Complete(ReadOnlySpan<byte> partialKey, ReadOnlySpan<byte> masterPublicKey, out CertificatelessPrivateKey? key)
    {
        ReadOnlySpan<ulong> t = _t.Value;                    // throws once disposed
        key = null;
        PrimeOrderGroup group = Parameters.Group;
        int n = group.ElementLimbs, e = group.ElementSizeInBytes;
        if (partialKey.Length != e + PrimeOrderGroup.ScalarSizeInBytes) return EngineStatus.BadLength;
        Span<ulong> sD = stackalloc ulong[n], pkSys = stackalloc ulong[n], lhs = stackalloc ulong[n], rhs = stackalloc ulong[n];
        Span<ulong> rD = stackalloc ulong[PrimeOrderGroup.ScalarLimbs], h = stackalloc ulong[PrimeOrderGroup.ScalarLimbs];
        EngineStatus status = group.Decode(partialKey[..e], sD);
        if (status == EngineStatus.Ok) status = group.Decode(masterPublicKey, pkSys);
        if (status == EngineStatus.Ok) status = group.DecodeScalar(partialKey[e..], rD);
        if (status != EngineStatus.Ok) return status;

        PartialKeyHash.Compute(Parameters, Id, partialKey[..e], _u, h);
        group.PowGenerator(rD, lhs);
        group.PowVarTime(pkSys, h, rhs);
        group.Multiply(sD, rhs, rhs);
        if (!group.AreEqual(lhs, rhs))
        {
            rD.Clear();
            return EngineStatus.VerificationFailed;
        }
        status = CertificatelessPublicKey.Create(Parameters, masterPublicKey, Id, partialKey[..e], _u, out CertificatelessPublicKey? publicKey);
        if (status != EngineStatus.Ok)
        {
            rD.Clear();
            return status;
        }
        Span<ulong> x = stackalloc ulong[PrimeOrderGroup.ScalarLimbs];
        group.ScalarAdd(rD, t, x);                           // x_ID = rD + t, so P_ID = g^x_ID
        key = new CertificatelessPrivateKey(publicKey!, x);
        x.Clear();
        rD.Clear();
        return EngineStatus.Ok;
    }

    /// <summary>Wipes t.</summary>
    public void Dispose() => _t.Dispose();
}
