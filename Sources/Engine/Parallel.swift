// Parallel.swift — splitting a kernel's loop over the machine's cores, deterministically.
//
// Contract: `parallelFor(count) { range in … }` runs the body over contiguous blocks of
// 0..<count, one block per worker thread. Bodies write disjoint memory and every sum is
// taken in a fixed order inside one index, so results never depend on scheduling: the same
// inputs give the same bits on every run (and, since blocks only partition independent work,
// with any thread count).

import CBLAS
import Foundation

/// How many threads the kernels split their loops over: the processors this process may use,
/// or `ENGINE_THREADS` from the environment when set (results are reproducible per thread count).
public let kernelThreadCount: Int = {
    if let text = ProcessInfo.processInfo.environment["ENGINE_THREADS"], let n = Int(text), n >= 1 { return n }
    return Swift.max(1, ProcessInfo.processInfo.activeProcessorCount)
}()

/// Runs `body` over contiguous blocks covering 0..<count, in parallel when it is worth it.
/// - Parameters:
///   - count: number of independent work items.
///   - costPerItem: rough number of float operations per item; below ~64k in total the
///     loop runs on the calling thread, where waking a second core would cost more than it saves.
///   - body: called once per block with the item range; must only write memory owned by those items.
@inline(__always)
public func parallelFor(_ count: Int, costPerItem: Int = 1 << 16, _ body: (Range<Int>) -> Void) {
    let workers = Swift.min(kernelThreadCount, count)
    if workers <= 1 || count * costPerItem < 1 << 16 {
        if count > 0 { body(0..<count) }
        return
    }
    // Dispatch wants a @Sendable closure; the kernels' bodies capture raw pointers into
    // buffers whose disjoint parts each worker owns, which the compiler cannot see.
    withoutActuallyEscaping(body) { body in
        let shared = UncheckedSendable(body)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            engine_flush_subnormals_to_zero()
            shared.value(count * worker / workers ..< count * (worker + 1) / workers)
        }
    }
}

/// A value handed to other threads under the caller's guarantee that they use it safely.
private struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// OpenBLAS runs on the calling thread only, for the whole process: the engine splits every
/// large GEMM and convolution over its own workers (`parallelFor`), each calling single-threaded
/// GEMMs on its share. That keeps the split, and the flush-to-zero mode of every thread that
/// computes, under the engine's control, so results do not depend on what else runs — an earlier
/// version switched OpenBLAS to one thread only around such calls, a process-wide setting that
/// tests running concurrently could flip under each other's feet (an intermittent difference in
/// the 8th digit between two runs that should match bit for bit).
let blasRunsOnTheCallingThread: Void = openblas_set_num_threads(1)
