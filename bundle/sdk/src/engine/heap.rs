//! Giving freed heap memory back to the system: glibc's allocator only returns the top of each arena on `free`, so
//! memory freed below live allocations (the start-up peak: every member's OpenAPI document merged into one tree,
//! migrations, routers) stays resident for the life of the process unless someone asks for it back.

/// Asks the allocator to return the free pages of every arena to the system (`malloc_trim(0)`, which unmaps whole
/// free pages wherever they are, not only at an arena's top). Returns whether anything was returned. Live
/// allocations are untouched. Elsewhere than glibc it does nothing and returns `false`.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code, reason = "the one FFI call of the sdk: glibc's malloc_trim has no safe wrapper")]
pub(crate) fn release_free_memory() -> bool {
    // SAFETY: `malloc_trim` takes no pointers and has no preconditions; glibc locks each arena while it walks it.
    unsafe { libc::malloc_trim(0) == 1 }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub(crate) fn release_free_memory() -> bool {
    false
}

#[cfg(all(test, target_os = "linux", target_env = "gnu"))]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    /// Resident anonymous memory of this process (`RssAnon` of /proc/self/status), in KiB.
    fn rss_anon_kib() -> u64 {
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let line = status.lines().find(|l| l.starts_with("RssAnon:")).unwrap();
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    }

    #[test]
    fn memory_freed_below_a_live_allocation_goes_back_to_the_system() {
        // 2 048 chunks of 16 KiB (below glibc's mmap threshold, so they come from the arena), written so their pages
        // are resident, then a small allocation above them that stays live: freeing the chunks leaves 32 MiB free in
        // the middle of the arena, which `free` alone never returns.
        let chunks: Vec<Vec<u8>> = (0..2048).map(|i| vec![(i % 251) as u8 + 1; 16 * 1024]).collect();
        let pin = Box::new([7u8; 64]);
        drop(chunks);
        let before = rss_anon_kib();
        assert!(release_free_memory(), "the allocator had free pages to return");
        let after = rss_anon_kib();
        assert!(
            before >= after + 16 * 1024,
            "RssAnon {before} KiB before the trim, {after} KiB after: less than 16 MiB returned"
        );
        assert_eq!(pin[63], 7, "live allocations are untouched");
    }
}
