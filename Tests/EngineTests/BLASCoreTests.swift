// The engine's check that OpenBLAS runs the kernels the processor can run (BLASCore.swift).

import XCTest
import Foundation
import Engine

final class BLASCoreTests: XCTestCase {
    func testBestKernelSetFollowsTheInstructionFlags() {
        let avx2: Set<String> = ["sse3", "avx", "avx2", "fma"]
        let avx512 = avx2.union(["avx512f", "avx512dq", "avx512bw", "avx512vl"])
        XCTAssertNil(bestBLASKernelSet(forFlags: ["sse2", "sse3"]))
        XCTAssertEqual(bestBLASKernelSet(forFlags: ["avx"]), "Sandybridge")
        XCTAssertEqual(bestBLASKernelSet(forFlags: avx2), "Haswell")
        XCTAssertEqual(bestBLASKernelSet(forFlags: avx512), "SkylakeX")
        XCTAssertEqual(bestBLASKernelSet(forFlags: avx512.union(["avx512_bf16"])), "Cooperlake")
        XCTAssertEqual(bestBLASKernelSet(forFlags: avx2.union(["avx512f"])), "Haswell", "a partial AVX-512 set is not enough")
    }

    func testRanksOrderTheSetsAndKnowOpenBLASAliases() {
        XCTAssertEqual(blasKernelSetRank("Prescott"), 0)
        XCTAssertLessThan(blasKernelSetRank("Sandybridge"), blasKernelSetRank("Haswell"))
        XCTAssertEqual(blasKernelSetRank("Zen"), blasKernelSetRank("Haswell"))
        XCTAssertLessThan(blasKernelSetRank("Haswell"), blasKernelSetRank("SkylakeX"))
        XCTAssertEqual(blasKernelSetRank("SapphireRapids"), blasKernelSetRank("Cooperlake"))
    }

    /// On this machine: once a tensor exists, OpenBLAS's kernels are as capable as the processor
    /// allows (a processor newer than the library used to leave it on SSE3), and a GEMM through
    /// them is still right.
    func testOpenBLASRunsTheBestKernelsTheProcessorAllows() throws {
        if ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] != nil {
            throw XCTSkip("OPENBLAS_CORETYPE is set: the user's choice stands")
        }
        let a = Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        let b = Tensor(shape: [3, 2], values: [7, 8, 9, 10, 11, 12])
        XCTAssertEqual(matmul(a, b).array, [58, 64, 139, 154])
        let best = bestBLASKernelSet(forFlags: processorFlags())
        XCTAssertGreaterThanOrEqual(blasKernelSetRank(blasKernelSet), best.map(blasKernelSetRank) ?? 0,
                                    "OpenBLAS runs \(blasKernelSet) on a processor that allows \(best ?? "-")")
    }
}
