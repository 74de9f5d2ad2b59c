using Engine.Primitives.Groups;

namespace Engine.Onion.Keys;

/// <summary>
/// A node's certificateless public key pk_ID = (sD, u), with the precomputed P_ID = sD·pk_sys^h·u = g^(rD + t)
/// (SPEC.md §1.1 "Precomputation", paper §IV.C) that every encryption to this node uses.
/// </summary>
public sealed class CertificatelessPublicKey
{
    private readonly ulong[] _p;

    private CertificatelessPublicKey(OnionParameters parameters, string id, byte[] sD, byte[] u, ulong[] p)
    {
        Parameters = parameters;
        Id = id;
        PartialPublic = sD;
        SecretValuePublic = u;
        _p = p;
    }

    /// <summary>The parameters.</summary>
    public OnionParameters Parameters { get; }

    /// <summary>The identity.</summary>
    public string Id { get; }

    /// <summary>sD, encoded.</summary>
    public byte[] PartialPublic { get; }

    /// <summary>u, encoded.</summary>
    public byte[] SecretValuePublic { get; }

    internal ReadOnlySpan<ulong> Precomputed => _p;

    /// <summary>
    /// Validates (sD, u) and computes P_ID for an identity under pk_sys. Returns the decoding status of a bad
    /// element, <see cref="EngineStatus.Malformed"/> for a bad identity, or Ok.
    /// </summary>
    public static EngineStatus Create(OnionParameters parameters, ReadOnlySpan<byte> masterPublicKey, string id,
                                      ReadOnlySpan<byte> sD, ReadOnlySpan<byte> u, out CertificatelessPublicKey? key)
        => Create(parameters, masterPublicKey, id, sD, u, paperFormula: false, out key);

    /// <summary>
    /// As the public Create; <paramref name="paperFormula"/> uses the paper's h = H1(ID, sD) instead (insecure, see
    /// SPEC.md §1.1 [repair]): only the simulation's cost comparison and the attack tests use it.
    /// </summary>
    internal static EngineStatus Create(OnionParameters parameters, ReadOnlySpan<byte> masterPublicKey, string id,
                                        ReadOnlySpan<byte> sD, ReadOnlySpan<byte> u, bool paperFormula, out CertificatelessPublicKey? key)
    {
        key = null;
        if (!PartialKeyHash.IsValidIdentity(id)) return EngineStatus.Malformed;
        PrimeOrderGroup group = parameters.Group;
        int n = group.ElementLimbs;
        Span<ulong> pkSys = stackalloc ulong[n], sDe = stackalloc ulong[n], ue = stackalloc ulong[n], t = stackalloc ulong[n];
        EngineStatus status = group.Decode(masterPublicKey, pkSys);
        if (status == EngineStatus.Ok) status = group.Decode(sD, sDe);
        if (status == EngineStatus.Ok) status = group.Decode(u, ue);
        if (status != EngineStatus.Ok) return status;
        Span<ulong> h = stackalloc ulong[PrimeOrderGroup.ScalarLimbs];
        PartialKeyHash.Compute(parameters, id, sD, paperFormula ? default : u, h);
        var p = new ulong[n];
        group.PowVarTime(pkSys, h, t);
        group.Multiply(sDe, t, p);
        group.Multiply(p, ue, p);
        key = new CertificatelessPublicKey(parameters, id, sD.ToArray(), u.ToArray(), p);
        return EngineStatus.Ok;
    }
}
