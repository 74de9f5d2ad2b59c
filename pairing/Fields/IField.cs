namespace Engine.Pairing.Fields;

/// <summary>
/// What the curve code needs from a coordinate field (F_p for G1, F_p² for G2). Static abstract members let the JIT
/// specialise <c>Projective&lt;F&gt;</c> per field, so the generic group code costs nothing at run time.
/// </summary>
internal interface IField<T> where T : struct, IField<T>
{
    static abstract T Zero { get; }
    static abstract T One { get; }
    static abstract T operator +(in T a, in T b);
    static abstract T operator -(in T a, in T b);
    static abstract T operator -(in T a);
    static abstract T operator *(in T a, in T b);
    T Square();
    T Double();
    T Invert();
    ulong IsZeroMask { get; }
    static abstract ulong EqualMask(in T a, in T b);
    static abstract T Select(in T a, in T b, ulong mask);
}

/// <summary>The extra operations the simplified SWU map needs (RFC 9380 §4: sqrt, is_square, sgn0).</summary>
internal interface ISwuField<T> : IField<T> where T : struct, ISwuField<T>
{
    T Sqrt(out ulong isSquare);
    ulong Sgn0Mask { get; }
    ulong IsSquareMask { get; }
}
