// Autoscroll: a view keeps its newest line in sight while it streams, until the user scrolls up
// (a wheel turned up, or the scroll position moved above where the view last put it); it follows
// again once the user is back at the bottom, or asks for it ("jump to latest").
const NEAR = 24; // px from the bottom that still count as "at the bottom"

export class Follower {
  // `onChange(following)` is told each time following starts or stops.
  constructor(root, onChange = () => {}) {
    this.root = root;
    this.onChange = onChange;
    this.following = true;
    this.autoTop = 0; // where the last automatic scroll left the view
    root.addEventListener("scroll", () => this.seen());
    root.addEventListener("wheel", (e) => {
      if (e.deltaY < 0 && this.overflows()) this.set(false);
    }, { passive: true });
  }

  overflows() {
    return this.root.scrollHeight > this.root.clientHeight;
  }

  atBottom() {
    const { scrollHeight, clientHeight, scrollTop } = this.root;
    return scrollHeight - clientHeight - scrollTop <= NEAR;
  }

  set(following) {
    if (following === this.following) return;
    this.following = following;
    this.onChange(following);
  }

  // A scroll event: the user's, or the echo of ours (which never moves the view up).
  seen() {
    if (this.atBottom()) this.set(true);
    else if (this.root.scrollTop < this.autoTop - 1) this.set(false);
  }

  // Show the newest line if following (or always, with `force`: the user sent a message or
  // asked to jump).
  scroll(force = false) {
    if (force) this.set(true);
    if (!this.following) return;
    this.root.scrollTop = this.root.scrollHeight;
    this.autoTop = this.root.scrollTop;
  }

  reset() {
    this.autoTop = 0;
    this.set(true);
  }
}
