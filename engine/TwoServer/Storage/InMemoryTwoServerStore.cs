namespace Engine.TwoServer.Storage;

/// <summary>The default <see cref="ITwoServerStore"/>: everything in memory behind one lock; a restart loses all of it.</summary>
public sealed class InMemoryTwoServerStore : ITwoServerStore
{
    private readonly object _gate = new();
    private readonly Dictionary<string, UserRecord> _users = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int Epoch, List<string> Members)> _groups = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _groupsByUser = new(StringComparer.Ordinal);
    private readonly Dictionary<UInt128, SessionRecord> _sessions = new();
    private readonly Dictionary<string, List<UInt128>> _sessionsByGroup = new(StringComparer.Ordinal);
    private int _pending;
    private readonly Dictionary<long, (List<StoredUpload> List, HashSet<ulong> Ids)> _rounds = new();
    private readonly Dictionary<(string Group, string Sender), List<(StoredUpload Upload, HashSet<string> FetchedBy)>> _dials = new();
    private long _round = 1;

    /// <inheritdoc/>
    public UserRecord? FindUser(string id) { lock (_gate) return _users.GetValueOrDefault(id); }

    /// <inheritdoc/>
    public void PutUser(UserRecord user)
    {
        lock (_gate)
        {
            if (_users.TryGetValue(user.Id, out UserRecord? old) && !old.Active) _pending--;
            _users[user.Id] = user;
            if (!user.Active) _pending++;
        }
    }

    /// <inheritdoc/>
    public void RemoveUser(string id)
    {
        lock (_gate)
            if (_users.Remove(id, out UserRecord? old) && !old.Active) _pending--;
    }

    /// <inheritdoc/>
    public int PendingUserCount { get { lock (_gate) return _pending; } }

    /// <inheritdoc/>
    public int RemovePendingBefore(DateTimeOffset cutoff)
    {
        lock (_gate)
        {
            List<string> expired = _users.Values.Where(u => !u.Active && u.Registered < cutoff).Select(u => u.Id).ToList();
            foreach (string id in expired) _users.Remove(id);
            _pending -= expired.Count;
            return expired.Count;
        }
    }

    /// <inheritdoc/>
    public int GroupCount { get { lock (_gate) return _groups.Count; } }

    /// <inheritdoc/>
    public int GroupsOf(string userId) { lock (_gate) return _groupsByUser.GetValueOrDefault(userId); }

    /// <inheritdoc/>
    public int SessionsOf(string group, int epoch, string senderId)
    {
        lock (_gate)
            return _sessionsByGroup.TryGetValue(group, out var ids) ? ids.Count(id => _sessions[id] is { } r && r.Epoch == epoch && r.SenderId == senderId) : 0;
    }

    /// <inheritdoc/>
    public (int Epoch, IReadOnlyList<string> Members) Group(string name)
    {
        lock (_gate) return _groups.TryGetValue(name, out var g) ? (g.Epoch, g.Members.ToArray()) : (0, Array.Empty<string>());
    }

    /// <inheritdoc/>
    public int GroupEpoch(string name) { lock (_gate) return _groups.TryGetValue(name, out var g) ? g.Epoch : 0; }

    /// <inheritdoc/>
    public (int Epoch, IReadOnlyList<string> Members) AddMember(string group, string userId)
    {
        lock (_gate)
        {
            if (!_groups.TryGetValue(group, out var g)) g = (0, new List<string>());
            int at = g.Members.BinarySearch(userId, StringComparer.Ordinal);
            if (at < 0)
            {
                g.Members.Insert(~at, userId);                  // ordinal order: both servers agree whatever the join order
                g.Epoch++;
                _groups[group] = g;
                _groupsByUser[userId] = _groupsByUser.GetValueOrDefault(userId) + 1;
                if (_sessionsByGroup.TryGetValue(group, out var ids))
                {
                    foreach (UInt128 id in ids) _sessions.Remove(id);   // every session was for an older epoch
                    ids.Clear();
                }
            }
            return (g.Epoch, g.Members.ToArray());
        }
    }

    /// <inheritdoc/>
    public bool TryAddSession(SessionRecord session)
    {
        UInt128 key = Key(session.SessionId);
        lock (_gate)
        {
            if (!_sessions.TryAdd(key, session)) return false;
            if (!_sessionsByGroup.TryGetValue(session.Group, out var ids)) _sessionsByGroup[session.Group] = ids = new();
            ids.Add(key);
            return true;
        }
    }

    /// <inheritdoc/>
    public SessionRecord? FindSession(ReadOnlySpan<byte> sessionId)
    {
        UInt128 key = Key(sessionId);
        lock (_gate) return _sessions.GetValueOrDefault(key);
    }

    /// <inheritdoc/>
    public long CurrentRound { get { lock (_gate) return _round; } }

    /// <inheritdoc/>
    public bool HasUpload(long round, ulong messageId, string? group = null)
    {
        lock (_gate)
            return round == -1 ? _dials.Values.Any(l => l.Any(e => e.Upload.MessageId == messageId))
                               : _rounds.TryGetValue(round, out var r) && r.Ids.Contains(messageId);
    }

    /// <inheritdoc/>
    public bool TryAddUpload(StoredUpload upload)
    {
        lock (_gate)
        {
            if (upload.Round != _round) return false;
            if (!_rounds.TryGetValue(upload.Round, out var r)) _rounds[upload.Round] = r = (new List<StoredUpload>(), new HashSet<ulong>());
            if (!r.Ids.Add(upload.MessageId)) return false;
            r.List.Add(upload);
            return true;
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<StoredUpload> Uploads(long round)
    {
        lock (_gate) return _rounds.TryGetValue(round, out var r) ? r.List.ToArray() : Array.Empty<StoredUpload>();
    }

    /// <inheritdoc/>
    public long CloseRound(int keepRounds)
    {
        lock (_gate)
        {
            _round++;
            foreach (long old in _rounds.Keys.Where(k => k < _round - keepRounds).ToList()) _rounds.Remove(old);
            return _round;
        }
    }

    /// <inheritdoc/>
    public long AdvanceRound(long round, int keepRounds)
    {
        lock (_gate)
        {
            if (round <= _round) return _round;
            _round = round;
            foreach (long old in _rounds.Keys.Where(k => k < _round - keepRounds).ToList()) _rounds.Remove(old);
            return _round;
        }
    }

    /// <inheritdoc/>
    public bool PutDial(string group, string senderId, StoredUpload upload, int capacity)
    {
        lock (_gate)
        {
            if (_dials.Values.Any(l => l.Any(e => e.Upload.MessageId == upload.MessageId))) return false;
            if (!_dials.TryGetValue((group, senderId), out var list)) _dials[(group, senderId)] = list = new();
            list.Add((upload, new HashSet<string>(StringComparer.Ordinal)));
            if (list.Count > capacity) list.RemoveRange(0, list.Count - capacity);
            return true;
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<StoredUpload> PendingDials(string group, string memberId)
    {
        lock (_gate)
            return _dials.Where(d => d.Key.Group == group).SelectMany(d => d.Value).Where(e => !e.FetchedBy.Contains(memberId)).Select(e => e.Upload).ToArray();
    }

    /// <inheritdoc/>
    public void MarkDialsFetched(string group, string memberId, IEnumerable<ulong> messageIds)
    {
        var ids = messageIds.ToHashSet();
        lock (_gate)
            foreach (var entry in _dials.Where(d => d.Key.Group == group).SelectMany(d => d.Value).Where(e => ids.Contains(e.Upload.MessageId)))
                entry.FetchedBy.Add(memberId);
    }

    private static UInt128 Key(ReadOnlySpan<byte> sessionId) => System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(sessionId);
}
