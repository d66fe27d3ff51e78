import CLayoutLabShims
import LayoutLabProtocol

/// What one pool thread measured over its stretch of a phase: its CPU time (ns) and its rusage at the start and the
/// end (`usageOK` false when either read failed). Node-trial pools (`PoolWorker`) and trace-replay pools
/// (`ReplayWorker`) both keep it.
protocol PooledThreadMeasure: AnyObject {
    var cpuNs: Int { get }
    var usageStart: ll_thread_usage { get }
    var usageEnd: ll_thread_usage { get }
    var usageOK: Bool { get }
}

extension PoolWorker: PooledThreadMeasure {}
extension ReplayWorker: PooledThreadMeasure {}

extension PhaseCounters {
    /// A pooled phase's counters from its threads: CPU time summed, faults and switches summed where every thread's
    /// rusage was read (else left as the main thread's reading had them); hardware counts left empty (the PMU counts
    /// one thread; the pool's are not summed).
    mutating func takePool(_ workers: [some PooledThreadMeasure]) {
        cpuNs = workers.reduce(0) { $0 + $1.cpuNs }
        if workers.allSatisfy(\.usageOK) {
            minorFaults = workers.reduce(0) { $0 + Int($1.usageEnd.minor_faults - $1.usageStart.minor_faults) }
            majorFaults = workers.reduce(0) { $0 + Int($1.usageEnd.major_faults - $1.usageStart.major_faults) }
            voluntarySwitches = workers.reduce(0) { $0 + Int($1.usageEnd.voluntary_switches - $1.usageStart.voluntary_switches) }
            involuntarySwitches = workers.reduce(0) { $0 + Int($1.usageEnd.involuntary_switches - $1.usageStart.involuntary_switches) }
        }
        instructions = nil
        cycles = nil
        cacheMisses = nil
        dtlbMisses = nil
    }
}
