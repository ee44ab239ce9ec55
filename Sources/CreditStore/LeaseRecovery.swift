/// When a connection last looked for jobs whose lease ran out. A busy worker claims hundreds of
/// batches a second; a dead worker's jobs need only be found within a second of their lease's end.
final class LeaseRecovery {
    private var last = -Double.infinity
    static let interval = 1.0

    /// True when a second has passed since the last check (or the clock went back); records this one.
    func isDue(_ now: Double) -> Bool {
        guard now - last >= Self.interval || now < last else { return false }
        last = now
        return true
    }
}
