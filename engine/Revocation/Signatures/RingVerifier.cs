using System.Buffers;
using System.Security.Cryptography;
using Engine.Pairing.Fields;
using Engine.Pairing.Groups;
using Engine.Pairing.Pairings;
using Engine.Revocation.Policies;

namespace Engine.Revocation.Signatures;

/// <summary>
/// Verify (SPEC §4.4) with every equation folded into one pairing product by random 128-bit weights ρ0 (the K0
/// equation) and ρ_j (column j's equation):
/// <code>
/// e(ρ0·W, A0) · e(−ρ0·Y, h0) · e(−ρ1·Y, h1) · Π_j e(X_j, Aj) · e(Z_j, Bj) · e(−(C·g1^μ), Σ_j ρ_j·P_j) = 1
/// </code>
/// with X_j = Σ_i M_ij ρ_j S_i and Z_j = Σ_i M_ij ρ_j û(i) S_i (G1 multi-exponentiations): the pairings against the
/// public key's fixed G2 points use prepared lines, and a batch of signatures under one key shares them, so n
/// signatures cost 2t + 3 prepared pairs plus n unprepared ones and one final exponentiation. A failing batch is
/// bisected. Not thread-safe (one verifier per worker); steady state allocates nothing.
/// </summary>
public sealed class RingVerifier
{
    private readonly RingPublicKey _key;
    private readonly G1Projective[] _x, _z;
    private readonly bool[] _columnUsed;
    private readonly List<Entry> _entries = [];
    private G1Projective _w, _yH0, _yH1;
    private G1Affine[] _g1 = [];
    private G2Affine[] _g2 = [];

    private readonly record struct Entry(Ring Ring, Policy Policy, ReadOnlyMemory<byte> Message, RingSignature Signature);

    /// <summary>A verifier for signatures under <paramref name="key"/>.</summary>
    public RingVerifier(RingPublicKey key)
    {
        _key = key;
        _x = new G1Projective[key.MaxColumns];
        _z = new G1Projective[key.MaxColumns];
        _columnUsed = new bool[key.MaxColumns];
    }

    /// <summary>The public key.</summary>
    public RingPublicKey PublicKey => _key;

    /// <summary>Signatures added since the last <see cref="Clear"/>.</summary>
    public int Count => _entries.Count;

    /// <summary>Checks the shape of a policy for <paramref name="ring"/>: every attribute in R (or Ω) and t ≤ t_max.</summary>
    public EngineStatus CheckPolicy(Ring ring, Policy policy) => CheckPolicy(_key, ring, policy);

    /// <summary>The same check for any key (before a verifier is at hand).</summary>
    public static EngineStatus CheckPolicy(RingPublicKey key, Ring ring, Policy policy)
    {
        if (policy.Matrix.ColumnCount > key.MaxColumns) return EngineStatus.CapacityExceeded;
        IReadOnlyList<string> attributes = policy.DistinctAttributes;
        for (int i = 0; i < attributes.Count; i++)                              // no foreach: an interface enumerator allocates
            if (!ring.Contains(attributes[i]) && !key.IsDefaultAttribute(attributes[i])) return EngineStatus.NotFound;
        return EngineStatus.Ok;
    }

    /// <summary>Verifies one signature.</summary>
    public EngineStatus Verify(Ring ring, Policy policy, ReadOnlySpan<byte> message, RingSignature signature)
    {
        EngineStatus status = CheckShape(ring, policy, signature);
        if (status != EngineStatus.Ok) return status;
        ResetAccumulators();
        int pairs = Accumulate(ring, policy, message, signature, 0);
        return Check(pairs) ? EngineStatus.Ok : EngineStatus.VerificationFailed;
    }

    /// <summary>Queues a signature for <see cref="VerifyAll"/>; its shape is checked now.</summary>
    public EngineStatus Add(Ring ring, Policy policy, ReadOnlyMemory<byte> message, RingSignature signature)
    {
        EngineStatus status = CheckShape(ring, policy, signature);
        if (status == EngineStatus.Ok) _entries.Add(new Entry(ring, policy, message, signature));
        return status;
    }

    /// <summary>Forgets the queued signatures.</summary>
    public void Clear() => _entries.Clear();

    /// <summary>Verifies every queued signature with one pairing product (bisecting on failure) and writes one status each.</summary>
    public void VerifyAll(Span<EngineStatus> results)
    {
        if (results.Length < _entries.Count) throw new ArgumentException("One result per queued signature.", nameof(results));
        VerifyRange(0, _entries.Count, results);
        _entries.Clear();
    }

    private void VerifyRange(int start, int count, Span<EngineStatus> results)
    {
        if (count == 0) return;
        ResetAccumulators();
        int pairs = 0;
        for (int k = start; k < start + count; k++)
        {
            Entry e = _entries[k];
            pairs = Accumulate(e.Ring, e.Policy, e.Message.Span, e.Signature, pairs);
        }
        if (Check(pairs))
        {
            results.Slice(start, count).Fill(EngineStatus.Ok);
            return;
        }
        if (count == 1) { results[start] = EngineStatus.VerificationFailed; return; }
        VerifyRange(start, count / 2, results);
        VerifyRange(start + count / 2, count - count / 2, results);
    }

    private EngineStatus CheckShape(Ring ring, Policy policy, RingSignature signature)
    {
        EngineStatus status = CheckPolicy(ring, policy);
        if (status != EngineStatus.Ok) return status;
        if (signature.S.Length != policy.Matrix.RowCount || signature.P.Length != policy.Matrix.ColumnCount) return EngineStatus.BadLength;
        return signature.Y.IsIdentity ? EngineStatus.IdentityElement : EngineStatus.Ok;
    }

    private void ResetAccumulators()
    {
        Array.Clear(_columnUsed);
        _w = _yH0 = _yH1 = G1Projective.Identity;
    }

    /// <summary>Adds one signature's terms; returns the number of unprepared pairs queued so far.</summary>
    private int Accumulate(Ring ring, Policy policy, ReadOnlySpan<byte> message, RingSignature signature, int pairs)
    {
        LsssMatrix m = policy.Matrix;
        int rows = m.RowCount, columns = m.ColumnCount;
        Fr[] scratch = ArrayPool<Fr>.Shared.Rent(2 + columns + rows);
        try
        {
            Span<Fr> rho = scratch.AsSpan(0, 1 + columns), u = scratch.AsSpan(1 + columns, rows);
            for (int j = 0; j < rho.Length; j++) rho[j] = RandomWeight();
            for (int i = 0; i < rows; i++) u[i] = RingHashes.Attribute(m.Attributes[i].Text, ring.Id, ring.Epoch);
            Fr mu = RingHashes.Message(message, policy.Text, ring.Id, ring.Epoch, _key.Name);

            Fr rho0 = rho[0];
            _w += signature.W.ToProjective().MultiplyVarTime(rho0);
            G1Projective y = signature.Y.ToProjective();
            _yH0 -= y.MultiplyVarTime(rho0);
            _yH1 -= y.MultiplyVarTime(rho[1]);
            for (int i = 0; i < rows; i++)
            {
                ReadOnlySpan<int> cols = m.RowColumns(i);
                ReadOnlySpan<Fr> values = m.RowValues(i);
                G1Projective s = signature.S[i].ToProjective();
                for (int e = 0; e < cols.Length; e++)
                {
                    int j = cols[e];
                    Fr weight = values[e] * rho[1 + j];
                    G1Projective x = s.MultiplyVarTime(weight), z = s.MultiplyVarTime(weight * u[i]);
                    if (_columnUsed[j]) { _x[j] += x; _z[j] += z; }
                    else { _x[j] = x; _z[j] = z; _columnUsed[j] = true; }
                }
            }
            G2Projective pSum = G2Projective.Identity;
            for (int j = 0; j < columns; j++) pSum += signature.P[j].ToProjective().MultiplyVarTime(rho[1 + j]);
            G1Projective messageBase = _key.C.ToProjective() + G1FixedBase.Generator.Multiply(mu);
            EnsureCapacity(pairs + 1);
            _g1[pairs] = messageBase.Negate().ToAffine();
            _g2[pairs] = pSum.ToAffine();
            return pairs + 1;
        }
        finally
        {
            ArrayPool<Fr>.Shared.Return(scratch);
        }
    }

    private bool Check(int unprepared)
    {
        int prepared = 3;
        for (int j = 0; j < _key.MaxColumns; j++) if (_columnUsed[j]) prepared += 2;
        G1Projective[] points = ArrayPool<G1Projective>.Shared.Rent(prepared);
        G1Affine[] affine = ArrayPool<G1Affine>.Shared.Rent(prepared);
        G2Prepared[] lines = ArrayPool<G2Prepared>.Shared.Rent(prepared);
        try
        {
            int n = 0;
            points[n] = _w; lines[n++] = _key.PreparedA0;
            points[n] = _yH0; lines[n++] = _key.PreparedH0;
            points[n] = _yH1; lines[n++] = _key.PreparedH1;
            for (int j = 0; j < _key.MaxColumns; j++)
            {
                if (!_columnUsed[j]) continue;
                points[n] = _x[j]; lines[n++] = _key.PreparedA(j);
                points[n] = _z[j]; lines[n++] = _key.PreparedB(j);
            }
            G1Projective.BatchToAffine(points.AsSpan(0, n), affine.AsSpan(0, n));
            MillerLoopResult f = MillerLoop.Multi(affine.AsSpan(0, n), lines.AsSpan(0, n), _g1.AsSpan(0, unprepared), _g2.AsSpan(0, unprepared));
            return f.FinalExponentiation().IsIdentity;
        }
        finally
        {
            Array.Clear(lines, 0, prepared);
            ArrayPool<G1Projective>.Shared.Return(points);
            ArrayPool<G1Affine>.Shared.Return(affine);
            ArrayPool<G2Prepared>.Shared.Return(lines);
        }
    }

    private void EnsureCapacity(int pairs)
    {
        if (_g1.Length >= pairs) return;
        int size = Math.Max(pairs, Math.Max(8, 2 * _g1.Length));
        Array.Resize(ref _g1, size);
        Array.Resize(ref _g2, size);
    }

    private static Fr RandomWeight()
    {
        Span<byte> rho = stackalloc byte[Fr.SizeInBytes];
        RandomNumberGenerator.Fill(rho[16..]);
        rho[31] |= 1;                                                             // never zero
        Fr.Decode(rho, out Fr value);
        return value;
    }
}
