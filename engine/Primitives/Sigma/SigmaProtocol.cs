using Engine.Primitives.Groups;

namespace Engine.Primitives.Sigma;

/// <summary>
/// Σ-protocols for knowledge of exponents in linear relations over a prime-order group, made non-interactive by
/// Fiat–Shamir (SPEC.md §3.4, §4.4; Camenisch–Stadler notation). A relation has e equations over w witnesses
/// x_1..x_w: Y_j = Π_k G_jk^(x_k), with the bases G as an e × w row-major list of elements (an identity entry
/// means x_k does not appear in equation j). The prover commits T_j = Π_k G_jk^(r_k), the challenge c is hashed
/// from the caller's transcript (which must contain every statement and commitment), and the responses are
/// s_k = r_k + c·x_k. The verifier checks Π_k G_jk^(s_k) = T_j · Y_j^c for every j.
/// </summary>
/// <remarks>
/// Commit and Respond are constant time in the witnesses and nonces; verification works on public data. Batches
/// go through <see cref="AddToCheck"/>: each equation of each proof enters one <see cref="MultiExpCheck"/> under
/// its own random weight, so n proofs cost one multi-exponentiation.
/// </remarks>
public static class SigmaProtocol
{
    private const int L = PrimeOrderGroup.ScalarLimbs;

    /// <summary>T_j = Π_k G_jk^(r_k) for secret nonces r (w scalars); commitments holds e elements.</summary>
    /// <exception cref="ArgumentException">The spans do not fit an e × w relation.</exception>
    public static void Commit(PrimeOrderGroup group, int witnesses, ReadOnlySpan<ulong> bases, ReadOnlySpan<ulong> nonces, Span<ulong> commitments)
    {
        int n = group.ElementLimbs, equations = CheckShape(group, witnesses, bases, nonces.Length);
        if (commitments.Length < equations * n) throw new ArgumentException("One commitment per equation.", nameof(commitments));
        Span<ulong> term = stackalloc ulong[n];
        for (int j = 0; j < equations; j++)
        {
            Span<ulong> t = commitments.Slice(j * n, n);
            group.Identity(t);
            for (int k = 0; k < witnesses; k++)
            {
                group.Pow(bases.Slice((j * witnesses + k) * n, n), nonces.Slice(k * L, L), term);
                group.Multiply(t, term, t);
            }
        }
        term.Clear();
    }

    /// <summary>s_k = r_k + c·x_k mod q. Constant time; the caller wipes the nonces afterwards.</summary>
    public static void Respond(PrimeOrderGroup group, ReadOnlySpan<ulong> witnessValues, ReadOnlySpan<ulong> nonces, ReadOnlySpan<ulong> challenge, Span<ulong> responses)
    {
        if (witnessValues.Length != nonces.Length || responses.Length < nonces.Length || nonces.Length % L != 0)
            throw new ArgumentException("One nonce and one response per witness.", nameof(nonces));
        Span<ulong> t = stackalloc ulong[L];
        for (int k = 0; k < nonces.Length / L; k++)
        {
            group.ScalarMultiply(challenge, witnessValues.Slice(k * L, L), t);
            group.ScalarAdd(t, nonces.Slice(k * L, L), responses.Slice(k * L, L));
        }
        t.Clear();
    }

    /// <summary>
    /// The Fiat–Shamir challenge: RFC 9380 hash_to_field into Z_q (expand_message_xmd with SHA-256, L = 48) of the
    /// transcript under <paramref name="dst"/>.
    /// </summary>
    public static void Challenge(PrimeOrderGroup group, ReadOnlySpan<byte> transcript, ReadOnlySpan<byte> dst, Span<ulong> challenge)
        => group.HashToScalar(transcript, dst, challenge);

    /// <summary>
    /// Checks one proof: Π_k G_jk^(s_k) · T_j^(−1) · Y_j^(−c) = 1 for each equation j, each as one
    /// multi-exponentiation in <paramref name="check"/> (which is reset before and after).
    /// </summary>
    public static bool Verify(MultiExpCheck check, int witnesses, ReadOnlySpan<ulong> bases, ReadOnlySpan<ulong> statements,
                              ReadOnlySpan<ulong> commitments, ReadOnlySpan<ulong> challenge, ReadOnlySpan<ulong> responses)
    {
        PrimeOrderGroup group = check.Group;
        int n = group.ElementLimbs, equations = CheckShape(group, witnesses, bases, responses.Length);
        Span<ulong> one = stackalloc ulong[L];
        one.Clear();
        one[0] = 1;
        bool ok = true;
        for (int j = 0; j < equations && ok; j++)
        {
            check.Reset();
            AddEquation(check, witnesses, bases.Slice(j * witnesses * n, witnesses * n), statements.Slice(j * n, n), commitments.Slice(j * n, n),
                        challenge, responses, one, default);
            ok = check.IsIdentity();
        }
        check.Reset();
        return ok;
    }

    /// <summary>
    /// Adds every equation of one proof to a batch, equation j weighted by weights[j] (fresh random scalars from
    /// <see cref="MultiExpCheck.RandomWeight"/>, never reused). <paramref name="sharedSlots"/> (optional, e × w)
    /// names for each base the check's shared slot that holds it, or −1: a generator used by every proof then costs
    /// one term for the whole batch.
    /// </summary>
    public static void AddToCheck(MultiExpCheck check, int witnesses, ReadOnlySpan<ulong> bases, ReadOnlySpan<ulong> statements,
                                  ReadOnlySpan<ulong> commitments, ReadOnlySpan<ulong> challenge, ReadOnlySpan<ulong> responses,
                                  ReadOnlySpan<ulong> weights, ReadOnlySpan<int> sharedSlots = default)
    {
        int n = check.Group.ElementLimbs, equations = CheckShape(check.Group, witnesses, bases, responses.Length);
        if (weights.Length < equations * L) throw new ArgumentException("One weight per equation.", nameof(weights));
        for (int j = 0; j < equations; j++)
        {
            AddEquation(check, witnesses, bases.Slice(j * witnesses * n, witnesses * n), statements.Slice(j * n, n), commitments.Slice(j * n, n),
                        challenge, responses, weights.Slice(j * L, L), sharedSlots.IsEmpty ? default : sharedSlots.Slice(j * witnesses, witnesses));
        }
    }

    // δ·(Σ_k s_k·G_k − T − c·Y), written multiplicatively.
    private static void AddEquation(MultiExpCheck check, int witnesses, ReadOnlySpan<ulong> bases, ReadOnlySpan<ulong> statement, ReadOnlySpan<ulong> commitment,
                                    ReadOnlySpan<ulong> challenge, ReadOnlySpan<ulong> responses, ReadOnlySpan<ulong> weight, ReadOnlySpan<int> sharedSlots)
    {
        PrimeOrderGroup group = check.Group;
        int n = group.ElementLimbs;
        Span<ulong> e = stackalloc ulong[L];
        for (int k = 0; k < witnesses; k++)
        {
            group.ScalarMultiply(weight, responses.Slice(k * L, L), e);
            int slot = sharedSlots.IsEmpty ? -1 : sharedSlots[k];
            if (slot >= 0) check.AddToShared(slot, e);
            else check.Add(bases.Slice(k * n, n), e);
        }
        check.AddNegated(commitment, weight);
        group.ScalarMultiply(weight, challenge, e);
        check.AddNegated(statement, e);
    }

    private static int CheckShape(PrimeOrderGroup group, int witnesses, ReadOnlySpan<ulong> bases, int scalarLimbs)
    {
        int n = group.ElementLimbs;
        if (witnesses < 1 || scalarLimbs != witnesses * L || bases.Length == 0 || bases.Length % (witnesses * n) != 0)
            throw new ArgumentException("The bases must be an e × w list of elements with one scalar per witness.", nameof(bases));
        return bases.Length / (witnesses * n);
    }
}
