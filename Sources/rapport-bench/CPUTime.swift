import Foundation

/// CPU time, which unlike the wall clock is not inflated when other processes share the cores.
enum CPUTime {
    /// Seconds of CPU time the calling thread has used.
    static func thread() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
