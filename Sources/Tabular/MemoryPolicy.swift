#if os(Linux)
import CMalloc
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How the process hands memory back to the system.
public enum MemoryPolicy {
  /// Fixes glibc's mmap threshold at 256 KiB, so that every column block
  /// (512 KiB) and every column is its own mapping and is returned to the
  /// system the moment it is freed. By default glibc raises the threshold
  /// after the first such block is freed, and later blocks then come from
  /// heap arenas that keep freed memory: a file read in parallel, whose
  /// parts' blocks are merged into whole columns, peaked at 1.8× its parsed
  /// columns that way, 1.03× with the fixed threshold. Called once by the
  /// executable at start-up (a process-wide setting, not a library's choice).
  public static func returnFreedBlocks() {
    #if os(Linux)
    // glibc's own variable, when set, is the user's choice.
    if getenv("MALLOC_MMAP_THRESHOLD_") == nil { _ = mallopt(M_MMAP_THRESHOLD, 256 << 10) }
    #endif
  }
}
