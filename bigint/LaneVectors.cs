using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Engine.BigInt;

/// <summary>
/// The few vector operations the multi-lane Montgomery kernel needs, as static abstract members so that the
/// kernel is written once and the JIT specialises it per vector width with no indirection.
/// </summary>
internal interface ILaneVector<TVec> where TVec : struct
{
    static abstract int Lanes { get; }
    static abstract TVec Load(ref ulong source, nuint offset);
    static abstract void Store(TVec value, ref ulong destination, nuint offset);
    static abstract TVec Broadcast(ulong value);
    /// <summary>Lane-wise (a mod 2^32)·(b mod 2^32) as a 64-bit product (vpmuludq).</summary>
    static abstract TVec MulLow32(TVec a, TVec b);
    static abstract TVec Add(TVec a, TVec b);
    static abstract TVec And(TVec a, TVec b);
    static abstract TVec Or(TVec a, TVec b);
    static abstract TVec ShiftRight(TVec a, byte count);
    /// <summary>All ones in lanes where a == b, zero elsewhere.</summary>
    static abstract TVec EqualMask(TVec a, TVec b);
}

/// <summary>Eight 64-bit lanes (AVX-512F).</summary>
internal readonly struct Lanes512 : ILaneVector<Vector512<ulong>>
{
    public static int Lanes => 8;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<ulong> Load(ref ulong source, nuint offset) => Vector512.LoadUnsafe(ref source, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<ulong> value, ref ulong destination, nuint offset) => value.StoreUnsafe(ref destination, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<ulong> Broadcast(ulong value) => Vector512.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<ulong> MulLow32(Vector512<ulong> a, Vector512<ulong> b) => Avx512F.Multiply(a.AsUInt32(), b.AsUInt32());
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<ulong> Add(Vector512<ulong> a, Vector512<ulong> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<ulong> And(Vector512<ulong> a, Vector512<ulong> b) => a & b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<ulong> Or(Vector512<ulong> a, Vector512<ulong> b) => a | b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<ulong> ShiftRight(Vector512<ulong> a, byte count) => Vector512.ShiftRightLogical(a, count);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<ulong> EqualMask(Vector512<ulong> a, Vector512<ulong> b) => Vector512.Equals(a, b);
}

/// <summary>Four 64-bit lanes (AVX2).</summary>
internal readonly struct Lanes256 : ILaneVector<Vector256<ulong>>
{
    public static int Lanes => 4;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Load(ref ulong source, nuint offset) => Vector256.LoadUnsafe(ref source, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<ulong> value, ref ulong destination, nuint offset) => value.StoreUnsafe(ref destination, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Broadcast(ulong value) => Vector256.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> MulLow32(Vector256<ulong> a, Vector256<ulong> b) => Avx2.Multiply(a.AsUInt32(), b.AsUInt32());
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Add(Vector256<ulong> a, Vector256<ulong> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> And(Vector256<ulong> a, Vector256<ulong> b) => a & b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Or(Vector256<ulong> a, Vector256<ulong> b) => a | b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> ShiftRight(Vector256<ulong> a, byte count) => Vector256.ShiftRightLogical(a, count);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> EqualMask(Vector256<ulong> a, Vector256<ulong> b) => Vector256.Equals(a, b);
}
