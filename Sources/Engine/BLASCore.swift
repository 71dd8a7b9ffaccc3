// BLASCore.swift — making sure OpenBLAS runs the kernels this processor can run.
//
// Debian's OpenBLAS is built with DYNAMIC_ARCH: at load time it reads the processor's model number
// and picks a kernel set (Haswell, SkylakeX, ...). A processor newer than the library is not in its
// table and gets the oldest x86-64 set, Prescott (SSE3): on an Emerald Rapids Xeon (family 6,
// model 207) with OpenBLAS 0.3.21 that is SGEMM at 40 GFLOP/s on 2 cores where the SkylakeX kernels
// reach ~180. So, once per process and before the first GEMM, compare the chosen set with the best
// one the processor's instruction set allows (from the kernel's CPU flags) and, when it is weaker,
// have OpenBLAS choose again with that set named (its OPENBLAS_CORETYPE mechanism, the same thing
// newer OpenBLAS releases fall back to for unknown models). A user's own OPENBLAS_CORETYPE wins.

import Foundation
import CBLAS

/// The kernel sets this file may switch between, weakest first, with the instructions each needs.
private let kernelSets: [(name: String, needs: [String])] = [
    ("Sandybridge", ["avx"]),
    ("Haswell", ["avx2", "fma"]),
    ("SkylakeX", ["avx512f", "avx512dq", "avx512bw", "avx512vl"]),
    ("Cooperlake", ["avx512f", "avx512dq", "avx512bw", "avx512vl", "avx512_bf16"]),
]

/// How capable a kernel set is: its index in `kernelSets` (+1), 0 for the SSE-only sets;
/// OpenBLAS's other AVX2 names (Zen) rank with Haswell, SapphireRapids with Cooperlake.
public func blasKernelSetRank(_ name: String) -> Int {
    let aliases = ["Zen": "Haswell", "SapphireRapids": "Cooperlake"]
    let canonical = aliases[name] ?? name
    return (kernelSets.firstIndex { $0.name.caseInsensitiveCompare(canonical) == .orderedSame }).map { $0 + 1 } ?? 0
}

/// The most capable kernel set whose instructions are all among `flags`, nil if none is.
public func bestBLASKernelSet(forFlags flags: Set<String>) -> String? {
    kernelSets.last { $0.needs.allSatisfy(flags.contains) }?.name
}

/// The instruction-set flags of the first processor in /proc/cpuinfo (empty where there is none).
public func processorFlags() -> Set<String> {
    guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
          let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
          let colon = line.firstIndex(of: ":") else { return [] }
    return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
}

/// The name of the kernel set OpenBLAS is using now.
public var blasKernelSet: String { openblas_get_corename().map { String(cString: $0) } ?? "unknown" }

/// The kernel set and, when the engine chose it, what it replaced: "Cooperlake (engine's choice,
/// was Prescott)" (bench and results.json print it). Reading it makes the check happen.
public var blasKernelsDescription: String {
    blasKernelSetChange.map { "\(blasKernelSet) (engine's choice, was \($0))" } ?? blasKernelSet
}

/// What the once-per-process check replaced: nil when OpenBLAS's own choice stood, else the set
/// OpenBLAS had chosen (e.g. "Prescott"). Reading it (as `Storage` and `gemm` do) makes the check happen.
public let blasKernelSetChange: String? = chooseBLASKernels()

/// Re-selects OpenBLAS's kernels when they are weaker than the processor allows and the user has
/// not named a set; returns the set it replaced.
private func chooseBLASKernels() -> String? {
    guard ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil else { return nil }
    guard let best = bestBLASKernelSet(forFlags: processorFlags()) else { return nil }
    let current = blasKernelSet
    guard blasKernelSetRank(best) > blasKernelSetRank(current) else { return nil }
    // While the chosen set is forgotten (between quit and init) no other thread may run the
    // selection: OpenBLAS's pool threads do, from their first buffer allocation, until the pool is
    // initialised (a race seen here once in a few starts: a crash on the forgotten set). One
    // allocation on this thread initialises the pool under OpenBLAS's lock, so afterwards none can.
    // Engine threads cannot either: their GEMMs wait for this function (`blasKernelSetChange`).
    blas_memory_free(blas_memory_alloc(0))
    setenv("OPENBLAS_CORETYPE", best, 1)
    gotoblas_dynamic_quit()
    gotoblas_dynamic_init()
    unsetenv("OPENBLAS_CORETYPE")     // child processes (gnuplot, python) choose for themselves
    return current
}
