using System.Runtime.InteropServices;

namespace Engine.Interop.Exports;

/// <summary>
/// Long-lived objects handed to C as opaque pointers (STYLE.md B7): a <see cref="GCHandle"/> as <c>intptr_t</c>, made by
/// a <c>_create</c> export and freed by its <c>_destroy</c>. A handle of another type reads as null.
/// </summary>
internal static class Handles
{
    public static nint Create(object value) => GCHandle.ToIntPtr(GCHandle.Alloc(value));

    public static T? Get<T>(nint handle) where T : class => handle == 0 ? null : GCHandle.FromIntPtr(handle).Target as T;

    public static void Free(nint handle)
    {
        if (handle == 0) return;
        GCHandle h = GCHandle.FromIntPtr(handle);
        (h.Target as IDisposable)?.Dispose();
        h.Free();
    }
}
