# Emits the unrolled no-carry CIOS Montgomery multiplication for an n-limb field (STYLE B3).
import sys
def gen(n, T, mod, inv):
    L = []
    w = L.append
    a = [f"a.L{j}" for j in range(n)]
    b = [f"b.L{j}" for j in range(n)]
    q = [f"{mod}{j}" for j in range(n)]
    w(f"        ulong t0, t1, t2" + "".join(f", t{j}" for j in range(3, n)) + ", A, C, m;")
    for i in range(n):
        w(f"        // round {i}: t = (t + a*b{i} + m*p) / 2^64")
        if i == 0:
            w(f"        t0 = Math.BigMul({a[0]}, {b[0]}, out _lo); A = t0; t0 = _lo;")
            # rename: A holds high
            L[-1] = f"        A = Math.BigMul({a[0]}, {b[0]}, out t0);"
        else:
            w(f"        A = 0; t0 = Word.MulAdd(t0, {a[0]}, {b[i]}, ref A);")
        w(f"        m = t0 * {inv};")
        w(f"        C = 0; Word.MulAdd(t0, m, {q[0]}, ref C);")
        for j in range(1, n):
            if i == 0:
                w(f"        t{j} = Word.MulAdd(0, {a[j]}, {b[i]}, ref A);")
            else:
                w(f"        t{j} = Word.MulAdd(t{j}, {a[j]}, {b[i]}, ref A);")
            w(f"        t{j-1} = Word.MulAdd(t{j}, m, {q[j]}, ref C);")
        w(f"        t{n-1} = C + A;")
    return "\n".join(L)
print(gen(int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]))
