namespace Engine.Onion.Roles;

/// <summary>
/// Where an in-place processed data packet goes: <see cref="SetupAction.Forward"/> or
/// <see cref="SetupAction.Backward"/> to the node <c>Destination</c> (the packet buffer now holds the bytes to
/// send), or <see cref="SetupAction.Deliver"/> at the destination, whose message lies at
/// <c>MessageOffset</c>/<c>MessageLength</c> of the buffer.
/// </summary>
public readonly record struct DataRoute(SetupAction Action, string Destination, int MessageOffset, int MessageLength);
