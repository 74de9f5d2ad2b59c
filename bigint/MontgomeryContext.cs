using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Engine.BigInt;

/// <summary>
/// Montgomery arithmetic modulo one odd modulus m of up to <see cref="MaxBits"/> bits, with R = 2^(64·n) for
/// n = <see cref="LimbCount"/>. Holds m, m' = −m⁻¹ mod 2^64, R mod m and R² mod m. Immutable and thread-safe
/// once built, so one context per modulus can be cached and shared by every thread.
/// </summary>
/// <remarks>
/// Values "in Montgomery form" are x·R mod m, fully reduced (&lt; m), in spans of exactly <see cref="LimbCount"/>
/// limbs. Multiply, square, add, subtract and the conversions are constant time in the values.
/// </remarks>
public sealed partial class MontgomeryContext
{
    /// <summary>Largest supported modulus, in bits.</summary>
    public const int MaxBits = 8192;

    /// <summary>Largest supported modulus, in 64-bit limbs.</summary>
    public const int MaxLimbs = MaxBits / 64;

    // Scratch of up to this many limbs lives on the stack; 2·MaxLimbs + 2 covers the squaring buffer.
    internal const int StackLimbs = 2 * MaxLimbs + 2;

    private readonly ulong[] _modulus;
    private readonly ulong[] _one;      // R mod m: 1 in Montgomery form
    private readonly ulong[] _r2;       // R² mod m: converts into Montgomery form

    /// <summary>Builds a context for the odd modulus m given as little-endian limbs (leading zero limbs ignored).</summary>
    /// <exception cref="ArgumentException">m is even, m ≤ 1, or m has more than <see cref="MaxBits"/> bits.</exception>
    public MontgomeryContext(ReadOnlySpan<ulong> modulus)
    {
        int n = Limbs.SignificantLimbsVarTime(modulus);
        if (n == 0 || (modulus[0] & 1) == 0 || (n == 1 && modulus[0] == 1))
            throw new ArgumentException("The modulus must be odd and greater than 1.", nameof(modulus));
        if (n > MaxLimbs)
            throw new ArgumentException($"The modulus must have at most {MaxBits} bits.", nameof(modulus));

        _modulus = modulus[..n].ToArray();
        LimbCount = n;
        BitLength = Limbs.BitLengthVarTime(_modulus);
        MInv = NegativeInverse64(_modulus[0]);
        ByteLength = (BitLength + 7) / 8;

        // R mod m and R² mod m by modular doubling from 1: 64n and 128n doublings. Variable time, but the
        // modulus is public; it runs once per context.
        _one = new ulong[n];
        _r2 = new ulong[n];
        ulong[] x = new ulong[n];
        x[0] = 1;
        for (int i = 0; i < 128 * n; i++)
        {
            if (i == 64 * n) x.CopyTo(_one, 0);
            DoubleModVarTime(x);
        }
        x.CopyTo(_r2, 0);

        // The generated product for this size, if the CPU and the process allow one (null: the managed code).
        _kernelConstants = GC.AllocateArray<ulong>(n + 1, pinned: true);
        _kernelConstants[0] = MInv;
        _modulus.CopyTo(_kernelConstants, 1);
        unsafe
        {
            _kernel = (nint)Native.MontgomeryKernels.For(n);
            _squareKernel = (nint)Native.MontgomeryKernels.SquareFor(n);
        }
    }

    private readonly ulong[] _kernelConstants;                                      // [−m⁻¹, m], pinned for the kernel
    private readonly nint _kernel;
    private readonly nint _squareKernel;                                            // 0: squares go through _kernel

    /// <summary>True when products and squares run through the generated kernel for this limb count.</summary>
    public bool UsesNativeKernel => _kernel != 0;

    /// <summary>Builds a context from a big-endian modulus.</summary>
    /// <exception cref="ArgumentException">See the limb constructor.</exception>
    public static MontgomeryContext FromBigEndian(ReadOnlySpan<byte> modulus)
    {
        Span<ulong> limbs = stackalloc ulong[BigEndian.LimbsForBytes(Math.Max(modulus.Length, 1))];
        BigEndian.TryToLimbs(modulus, limbs);
        return new MontgomeryContext(limbs);
    }

    /// <summary>Number of 64-bit limbs n of the modulus; every Montgomery-form span has this length.</summary>
    public int LimbCount { get; }

    /// <summary>Bit length of the modulus.</summary>
    public int BitLength { get; }

    /// <summary>Byte length of the modulus: the size of a fixed-length big-endian encoding of a residue.</summary>
    public int ByteLength { get; }

    /// <summary>−m⁻¹ mod 2^64.</summary>
    internal ulong MInv { get; }

    /// <summary>The modulus m, little-endian limbs.</summary>
    public ReadOnlySpan<ulong> Modulus => _modulus;

    /// <summary>1 in Montgomery form (R mod m).</summary>
    public ReadOnlySpan<ulong> One => _one;

    /// <summary>R² mod m.</summary>
    internal ReadOnlySpan<ulong> RSquared => _r2;

    private LaneModulus? _lanes;

    /// <summary>The modulus in the multi-lane digit form of <see cref="BatchModExp"/>, built on first use.
    /// A race builds it twice at worst; both copies are identical and immutable.</summary>
    internal LaneModulus Lanes => _lanes ??= new LaneModulus(this);

    private LaneModulus? _ifmaLanes;
    private nint _ifmaKernel = -1;

    /// <summary>The modulus in 52-bit digits for the IFMA lanes, built on first use (a race builds it twice at worst).</summary>
    internal LaneModulus IfmaLanes => _ifmaLanes ??= new LaneModulus(this, Native.IfmaLaneKernels.DigitBits);

    /// <summary>The generated 8-lane IFMA product for this modulus' digit count, or 0 where there is none.</summary>
    internal unsafe nint IfmaKernel
    {
        get
        {
            if (_ifmaKernel == -1) _ifmaKernel = Native.IfmaLaneKernels.Available ? (nint)Native.IfmaLaneKernels.For(IfmaLanes.Digits) : 0;
            return _ifmaKernel;
        }
    }

    // −m0⁻¹ mod 2^64 by Newton iteration: x = m0 is correct to 3 bits for odd m0, each step doubles that.
    private static ulong NegativeInverse64(ulong m0)
    {
        ulong x = m0;
        for (int i = 0; i < 5; i++) x *= 2 - m0 * x;
        Debug.Assert(x * m0 == 1);
        return 0 - x;
    }

    private void DoubleModVarTime(Span<ulong> x)
    {
        ulong top = Limbs.ShiftLeft(x, 1);
        if (top != 0 || Limbs.CompareVarTime(x, _modulus) >= 0) Limbs.Sub(x, x, _modulus);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void CheckLength(ReadOnlySpan<ulong> span, string name)
    {
        if (span.Length != LimbCount) ThrowLength(name);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowLength(string name) =>
        throw new ArgumentException($"Expected exactly {LimbCount} limbs for this modulus.", name);
}
