#if canImport(Glibc)
import Glibc
#endif

/// The C allocator's settings for the resident daemons.
///
/// glibc keeps, per thread, a cache of just-freed blocks of each size, 7 of a size by default. A
/// request allocates and frees a few hundred blocks (strings, arrays, the parsed application), so
/// most frees overflow that cache into the shared free lists, and the next large block merges
/// them back. With 64 a size the blocks a request frees are there for the next one: measured on
/// the responder under `bench`'s load, about 10 µs less CPU a request (7 %) for 0.4 MB more RSS
/// (256 a size was no faster and held 0.6 MB more).
///
/// glibc reads its tunables only as a program starts (`GLIBC_TUNABLES`), and `mallopt` cannot set
/// this one, so a daemon started without it starts itself again with it.
public enum AllocatorTuning {
    /// The tunable the daemons run with.
    public static let setting = "glibc.malloc.tcache_count=64"

    /// Execs this program again, same arguments and process id, with ``setting`` added to
    /// `GLIBC_TUNABLES`, unless the environment already sets the thread cache's size (the
    /// operator's choice then stands). Returns only when nothing was done or the exec failed, in
    /// which case the program runs on with glibc's defaults. Call it first, before any thread.
    public static func restartWithTunedAllocator() {
        let current = getenv("GLIBC_TUNABLES").map { String(cString: $0) }
        if let current, current.contains("glibc.malloc.tcache_count") { return }
        let tuned = current.map { $0.isEmpty ? setting : $0 + ":" + setting } ?? setting
        // The program's own file by its real path, not /proc/self/exe: the process keeps its name
        // (`ps`, `pgrep credit-fcgi` and the kernel's comm field take it from the file executed).
        var path = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &path, Int(PATH_MAX))
        guard length > 0, setenv("GLIBC_TUNABLES", tuned, 1) == 0 else { return }
        path[length] = 0
        execv(path, CommandLine.unsafeArgv)
        // The exec failed (no /proc in a chroot, say): carry on untuned, and say nothing of the
        // setting to the programs this one starts.
        if let current { setenv("GLIBC_TUNABLES", current, 1) } else { unsetenv("GLIBC_TUNABLES") }
    }
}
