using Engine.IotAuth.Tags;
using Engine.Pairing.Fields;
using Engine.Pairing.Groups;
using Engine.Pairing.Pairings;
using Engine.Primitives.Groups;
using Engine.Primitives.Sigma;

namespace Engine.IotAuth.Auth;

/// <summary>
/// Verifies devices' proofs (SPEC.md §3.4 step 3, §3.5): decodes A', Ā, T1, Y_D with subgroup checks (A', Ā, Y_D
/// must not be the identity) and s1, s2 as canonical scalars, recomputes c, and checks the Σ-equation
/// g1^s1·(A'^(−1))^s2 = T1·Ā^c and the tag equation, either Ā = A'^γ (the operation centre, which holds γ: no
/// pairing) or e(Ā, g2) = e(A', W) (anyone, from W alone). Batches [beyond] combine every equation of every proof
/// with fresh random 128-bit weights into one multi-exponentiation (plus, without γ, one two-pair product), and a
/// failing batch is bisected to name each bad proof.
/// </summary>
/// <remarks>
/// One instance per worker thread: its buffers grow to the largest batch and are reused, so verification allocates
/// nothing in steady state. The timestamp window, the challenge's freshness and the replay cache are the caller's
/// (the operation centre role), checked before this runs.
/// </remarks>
public sealed class ProofVerifier
{
    // Per proof: g1, −A', Ā, T1, Y_D, A' (elements), then s1, s2, c (scalars).
    private const int Elements = 6, Scalars = 3, L = PrimeOrderGroup.ScalarLimbs;
    private static readonly int N = Bls12381G1Group.Limbs;
    private static readonly int Stride = Elements * N + Scalars * L;
    private static readonly int[] SharedGenerator = [0, -1];

    private readonly TagKey? _tagKey;
    private readonly G2Prepared[]? _pairingG2;
    private readonly bool _checkOperatorKey;
    private readonly MultiExpCheck _check, _aux, _aux2;
    private ulong[] _decoded;
    private EngineStatus[] _status;
    private int _count;

    private ProofVerifier(TagKey? tagKey, G2Affine? operatorKey, bool checkOperatorKey, int capacity)
    {
        _tagKey = tagKey;
        if (operatorKey is { } w) _pairingG2 = [G2Prepared.Generator, new G2Prepared(w)];
        _checkOperatorKey = checkOperatorKey;
        PrimeOrderGroup group = IotAuthParameters.Group;
        _check = new MultiExpCheck(group, sharedSlots: 1, initialTerms: 4 * capacity + 2);
        Span<ulong> g = stackalloc ulong[N];
        group.Generator(g);
        _check.SetSharedBase(0, g);
        _aux = new MultiExpCheck(group, 0, capacity);
        _aux2 = new MultiExpCheck(group, 0, capacity);
        _decoded = new ulong[capacity * Stride];
        _status = new EngineStatus[capacity];
    }

    /// <summary>
    /// The operation centre's verifier, with γ. By default it trusts CH's Y_OC (the OC made it) and does not decode it;
    /// <paramref name="checkOperatorKey"/> makes it validate Y_OC too (CH from elsewhere).
    /// </summary>
    public static ProofVerifier WithTagKey(TagKey key, int capacity = 64, bool checkOperatorKey = false) => new(key, null, checkOperatorKey, capacity);

    /// <summary>The public verifier, from W alone (one pairing product); it also checks CH's Y_OC.</summary>
    public static ProofVerifier WithPublicKey(in G2Affine operatorKey, int capacity = 64) => new(null, operatorKey, checkOperatorKey: true, capacity);

    /// <summary>True when this verifier uses γ.</summary>
    public bool UsesTagKey => _tagKey is not null;

    /// <summary>Proofs queued by <see cref="Add"/>.</summary>
    public int Count => _count;

    /// <summary>
    /// Verifies one proof exactly (no random weights): Ok, <see cref="EngineStatus.VerificationFailed"/>, or the first
    /// decoding failure (<see cref="EngineStatus.BadLength"/>, <see cref="EngineStatus.ScalarOutOfRange"/>, a point's
    /// status, <see cref="EngineStatus.IdentityElement"/>). Forgets any queued batch.
    /// </summary>
    public EngineStatus Verify(ReadOnlySpan<byte> challengeFields, ReadOnlySpan<byte> proof)
    {
        Clear();
        int index = Add(challengeFields, proof);
        if (_status[index] != EngineStatus.Ok) return _status[index];
        return VerifyExact(index) ? EngineStatus.Ok : EngineStatus.VerificationFailed;
    }

    /// <summary>Forgets the queued proofs.</summary>
    public void Clear() => _count = 0;

    /// <summary>Decodes and queues a proof; returns its index. Its decoding status is kept for <see cref="VerifyAll"/>.</summary>
    public int Add(ReadOnlySpan<byte> challengeFields, ReadOnlySpan<byte> proof)
    {
        if (_count == _status.Length)
        {
            Array.Resize(ref _status, 2 * _count);
            Array.Resize(ref _decoded, 2 * _count * Stride);
        }
        int index = _count++;
        _status[index] = Decode(challengeFields, proof, _decoded.AsSpan(index * Stride, Stride));
        return index;
    }

    /// <summary>
    /// Verifies every queued proof: results[i] is exactly what <see cref="Verify"/> would say of proof i (up to the
    /// 2^−128 chance that a batch with a bad proof passes). Valid batches cost one combination; each bad proof is
    /// found by bisection.
    /// </summary>
    public void VerifyAll(Span<EngineStatus> results)
    {
        if (results.Length < _count) throw new ArgumentException("One result per queued proof.", nameof(results));
        Span<int> good = _count <= 256 ? stackalloc int[_count] : new int[_count];
        int goodCount = 0;
        for (int i = 0; i < _count; i++)
        {
            results[i] = _status[i];
            if (_status[i] == EngineStatus.Ok) good[goodCount++] = i;
        }
        Bisect(good[..goodCount], results);
    }

    /// <summary>Y_D of queued proof <paramref name="index"/> (decoded and validated), for the OC's Y_D^a.</summary>
    public G1Projective DeviceKey(int index) => Element(index, 4);

    private void Bisect(ReadOnlySpan<int> indices, Span<EngineStatus> results)
    {
        if (indices.Length == 0) return;
        if (indices.Length == 1)
        {
            if (!VerifyExact(indices[0])) results[indices[0]] = EngineStatus.VerificationFailed;
            return;
        }
        if (VerifyCombined(indices)) return;
        int half = indices.Length / 2;
        Bisect(indices[..half], results);
        Bisect(indices[half..], results);
    }

    private bool VerifyExact(int index)
    {
        ReadOnlySpan<ulong> d = _decoded.AsSpan(index * Stride, Stride);
        if (!SigmaProtocol.Verify(_check, 2, d[..(2 * N)], d.Slice(2 * N, N), d.Slice(3 * N, N), d.Slice(Elements * N + 2 * L, L), d.Slice(Elements * N, 2 * L)))
            return false;
        G1Projective aPrime = Element(index, 5), aBar = Element(index, 2);
        if (_tagKey is not null) return _tagKey.MultiplyByGamma(aPrime) == aBar;
        Span<G1Affine> g1 = stackalloc G1Affine[2];
        g1[0] = aBar.ToAffine();
        g1[1] = aPrime.Negate().ToAffine();
        return OptimalAte.Check(g1, _pairingG2);
    }

    // Σ δᵢ·(s1ᵢ·g1 − s2ᵢ·A'ᵢ − T1ᵢ − cᵢ·Āᵢ) + Σ εᵢ·Āᵢ − γ·Σ εᵢ·A'ᵢ = O, or without γ the first sum = O and
    // e(Σ εᵢ·Āᵢ, g2) = e(Σ εᵢ·A'ᵢ, W).
    private bool VerifyCombined(ReadOnlySpan<int> indices)
    {
        PrimeOrderGroup group = IotAuthParameters.Group;
        _check.Reset();
        _aux.Reset();
        _aux2.Reset();
        Span<ulong> delta = stackalloc ulong[L], epsilon = stackalloc ulong[L];
        foreach (int i in indices)
        {
            ReadOnlySpan<ulong> d = _decoded.AsSpan(i * Stride, Stride);
            MultiExpCheck.RandomWeight(delta);
            MultiExpCheck.RandomWeight(epsilon);
            SigmaProtocol.AddToCheck(_check, 2, d[..(2 * N)], d.Slice(2 * N, N), d.Slice(3 * N, N), d.Slice(Elements * N + 2 * L, L),
                                     d.Slice(Elements * N, 2 * L), delta, SharedGenerator);
            _aux.Add(d.Slice(5 * N, N), epsilon);                  // Σ εᵢ·A'ᵢ
            if (_tagKey is not null) _check.Add(d.Slice(2 * N, N), epsilon);
            else _aux2.Add(d.Slice(2 * N, N), epsilon);            // Σ εᵢ·Āᵢ
        }
        Span<ulong> x = stackalloc ulong[N];
        _aux.Compute(x);
        if (_tagKey is not null)
        {
            // γ is secret: γ·X in constant time, then into the combination with exponent −1.
            Bls12381G1Group.Point(x) = _tagKey.MultiplyByGamma(Bls12381G1Group.Point(x)).Negate();
            Span<ulong> one = stackalloc ulong[L];
            one.Clear();
            one[0] = 1;
            _check.Add(x, one);
            return _check.IsIdentity();
        }
        if (!_check.IsIdentity()) return false;
        Span<ulong> y = stackalloc ulong[N];
        _aux2.Compute(y);
        Span<G1Affine> g1 = stackalloc G1Affine[2];
        g1[0] = Bls12381G1Group.Point(y).ToAffine();
        g1[1] = Bls12381G1Group.Point(x).Negate().ToAffine();
        return OptimalAte.Check(g1, _pairingG2);
    }

    private G1Projective Element(int index, int slot) => Bls12381G1Group.Point((ReadOnlySpan<ulong>)_decoded.AsSpan(index * Stride + slot * N, N));

    // Cheap checks first: sizes, then the scalars, then the points (each a square root and a subgroup check).
    private EngineStatus Decode(ReadOnlySpan<byte> challengeFields, ReadOnlySpan<byte> proof, Span<ulong> d)
    {
        if (proof.Length != IotAuthParameters.ProofSize) return EngineStatus.BadLength;
        EngineStatus status = ChallengeFields.TryParse(challengeFields, out ChallengeFields challenge);
        if (status != EngineStatus.Ok) return status;
        PrimeOrderGroup group = IotAuthParameters.Group;
        Span<ulong> scalars = d.Slice(Elements * N, Scalars * L);
        if ((status = group.DecodeScalar(proof[ProofLayout.S1], scalars[..L])) != EngineStatus.Ok) return status;
        if ((status = group.DecodeScalar(proof[ProofLayout.S2], scalars.Slice(L, L))) != EngineStatus.Ok) return status;
        if (_checkOperatorKey && (status = group.Decode(challenge.OperatorKey, d[..N])) != EngineStatus.Ok) return status;

        group.Generator(d[..N]);
        if ((status = group.Decode(proof[ProofLayout.APrime], d.Slice(5 * N, N))) != EngineStatus.Ok) return status;
        if ((status = group.Decode(proof[ProofLayout.ABar], d.Slice(2 * N, N))) != EngineStatus.Ok) return status;
        if ((status = G1Affine.Decode(proof[ProofLayout.T1], out G1Affine t1)) != EngineStatus.Ok) return status;   // T1 = O is legal
        Bls12381G1Group.Point(d.Slice(3 * N, N)) = t1.ToProjective();
        if ((status = group.Decode(proof[ProofLayout.DeviceKey], d.Slice(4 * N, N))) != EngineStatus.Ok) return status;
        group.Invert(d.Slice(5 * N, N), d.Slice(N, N));

        DeviceProver.Challenge(proof, challenge).ToCanonicalLimbs(scalars.Slice(2 * L, L));
        return EngineStatus.Ok;
    }
}
