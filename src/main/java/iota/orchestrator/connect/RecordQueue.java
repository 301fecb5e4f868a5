package iota.orchestrator.connect;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The hand-over between the MQTT client's callback thread and {@code poll()}: a FIFO bounded both
 * in items and in bytes, since one 1 MB message weighs as much as thousands of small ones. An item
 * is admitted when both bounds still hold with it, or when the queue is empty, so that an item
 * larger than the byte bound (which the caller limits separately) cannot block forever.
 */
final class RecordQueue<T> {
  private record Entry<T>(T item, long bytes) {}

  private final int maxItems;
  private final long maxBytes;
  private final ArrayDeque<Entry<T>> entries = new ArrayDeque<>();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notFull = lock.newCondition();
  private final Condition notEmpty = lock.newCondition();
  private long bytes;

  RecordQueue(int maxItems, long maxBytes) {
    if (maxItems < 1 || maxBytes < 1) {
      throw new IllegalArgumentException("bounds must be positive");
    }
    this.maxItems = maxItems;
    this.maxBytes = maxBytes;
  }

  /** Adds {@code item} of {@code size} bytes, waiting up to {@code timeout} for room; false if none came. */
  boolean offer(T item, long size, long timeout, TimeUnit unit) throws InterruptedException {
    long left = unit.toNanos(timeout);
    lock.lockInterruptibly();
    try {
      while (!entries.isEmpty() && (entries.size() >= maxItems || bytes + size > maxBytes)) {
        if (left <= 0) {
          return false;
        }
        left = notFull.awaitNanos(left);
      }
      entries.addLast(new Entry<>(item, size));
      bytes += size;
      notEmpty.signal();
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Waits up to {@code timeout} for an item, then moves it and up to {@code max - 1} more to {@code out}. */
  int drainTo(Collection<? super T> out, int max, long timeout, TimeUnit unit) throws InterruptedException {
    long left = unit.toNanos(timeout);
    lock.lockInterruptibly();
    try {
      while (entries.isEmpty()) {
        if (left <= 0) {
          return 0;
        }
        left = notEmpty.awaitNanos(left);
      }
      int moved = 0;
      while (moved < max && !entries.isEmpty()) {
        Entry<T> e = entries.removeFirst();
        bytes -= e.bytes();
        out.add(e.item());
        moved++;
      }
      notFull.signalAll();
      return moved;
    } finally {
      lock.unlock();
    }
  }

  int size() {
    lock.lock();
    try {
      return entries.size();
    } finally {
      lock.unlock();
    }
  }

  long bytes() {
    lock.lock();
    try {
      return bytes;
    } finally {
      lock.unlock();
    }
  }
}
