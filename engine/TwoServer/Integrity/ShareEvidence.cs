namespace Engine.TwoServer.Integrity;

/// <summary>
/// What one server's side contributes to a dispute over one message (paper §5.3.1): the member's inbox of that round
/// with the server's signature (kept by the member), and the sender's signed upload with the session partition
/// (produced by the server).
/// </summary>
/// <param name="Inbox">The member's whole inbox from this server, as delivered.</param>
/// <param name="ServerSignature">The server's signature over <see cref="SignedMessages.Delivery"/> of that inbox.</param>
/// <param name="Partition">The session's partition for this server, encoded (as the sender signed it).</param>
/// <param name="Shares">The shares the sender uploaded to this server (share for G_1, then for G_2).</param>
/// <param name="SenderSignature">The sender's signature over <see cref="SignedMessages.Upload"/>.</param>
public sealed record ShareEvidence(byte[] Inbox, byte[] ServerSignature, byte[] Partition, byte[] Shares, byte[] SenderSignature);
