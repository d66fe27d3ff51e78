/// The machine-wide `cpu` line of `/proc/stat` (its first line), in clock ticks summed over all CPUs.
package struct ProcStatReading: Equatable, Sendable {
    /// user + nice + system + irq + softirq: time some CPU spent running something (guest time is in user).
    package var busyTicks: Int
    /// Time the hypervisor ran other machines while this one's CPUs wanted to run.
    package var stealTicks: Int

    package init(busyTicks: Int, stealTicks: Int) {
        self.busyTicks = busyTicks
        self.stealTicks = stealTicks
    }

    /// Parses the text of `/proc/stat` (or its first bytes) without allocating. Nil unless it starts with the
    /// `cpu` line and that line has its first eight fields (user nice system idle iowait irq softirq steal).
    package init?(parsing text: UnsafeRawBufferPointer) {
        let prefix: StaticString = "cpu "
        guard text.count > prefix.utf8CodeUnitCount else { return nil }
        for offset in 0..<prefix.utf8CodeUnitCount where text[offset] != prefix.utf8Start[offset] { return nil }
        let line = UnsafeRawBufferPointer(rebasing: text[prefix.utf8CodeUnitCount...])
        guard let user = ProcTextScanner.field(0, in: line), let nice = ProcTextScanner.field(1, in: line),
            let system = ProcTextScanner.field(2, in: line), let irq = ProcTextScanner.field(5, in: line),
            let softirq = ProcTextScanner.field(6, in: line), let steal = ProcTextScanner.field(7, in: line)
        else { return nil }
        busyTicks = user + nice + system + irq + softirq
        stealTicks = steal
    }
}
