using Engine.TwoServer.Content;
using Engine.TwoServer.Partitions;

namespace Engine.TwoServer.Roles;

/// <summary>A Protocol 2 user's send and fetch as the C ABI and the client role run them: a group looked up, a session opened, blocks sent; a round fetched and reassembled.</summary>
internal static class TwoServerUserFlows
{
    public static async Task<EngineStatus> SendAsync(TwoServerUser user, string group, string recipient, byte[] content, Action<long> sentIn)
    {
        (EngineStatus status, long round) = await SendAsync(user, group, recipient, content).ConfigureAwait(false);
        sentIn(round);
        return status;
    }

    private static async Task<(EngineStatus Status, long Round)> SendAsync(TwoServerUser user, string group, string recipient, byte[] content)
    {
        (EngineStatus s, GroupView? view) = await user.GetGroupAsync(group).ConfigureAwait(false);
        if (s != EngineStatus.Ok) return (s, 0);
        int index = view!.IndexOf(recipient);
        if (index < 0 || view.IndexOf(user.Id) < 0) return (EngineStatus.NotFound, 0);
        (s, TwoServerSession? session) = await user.OpenSessionAsync(view, GroupPartition.ForRecipient(view.Members.Count, index)).ConfigureAwait(false);
        if (s != EngineStatus.Ok) return (s, 0);
        return await user.SendBlocksAsync(session!, Fragments.Split(user.Parameters, ContentKind.Data, content)).ConfigureAwait(false);
    }

    public static async Task<EngineStatus> FetchAsync(TwoServerUser user, string group, long round, List<byte[]> messages)
    {
        (EngineStatus s, GroupView? view) = await user.GetGroupAsync(group).ConfigureAwait(false);
        if (s != EngineStatus.Ok) return s;
        (s, FetchedRound? fetched) = await user.FetchAsync(round, view!).ConfigureAwait(false);
        if (s != EngineStatus.Ok) return s;
        (var contents, int tampered) = fetched!.Reassemble();
        messages.AddRange(contents.Where(c => c.Kind == ContentKind.Data).Select(c => c.Content));
        return tampered > 0 ? EngineStatus.VerificationFailed : EngineStatus.Ok;
    }
}

