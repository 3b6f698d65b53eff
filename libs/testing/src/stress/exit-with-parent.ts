// `node --require …/exit-with-parent.js`: the process ends when the process that started it is
// gone (it is then re-parented), so a demo killed outright leaves no stress pods behind. One
// check a second, unref'd: it never keeps the process alive by itself.
const startedBy = process.ppid;
setInterval(() => {
  if (process.ppid !== startedBy) process.kill(process.pid, 'SIGTERM');
}, 1000).unref();

export {};
