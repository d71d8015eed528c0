// Runs a program as a child process and captures its exit code, stdout and stderr: how the
// tests drive tj-host exactly as a user or a script would. Header-only, POSIX.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;

namespace tjtest {

// argv and the environment as execve()/posix_spawn() want them: this process's environment
// with extra_env added or replaced ("\x01unset" removes a variable). Built before fork(),
// because after it only exec-safe calls may run. Pinned in place: the pointers point into it.
class ExecArgs {
public:
    ExecArgs(const std::vector<std::string>& argv, const std::map<std::string, std::string>& extra_env) : args_(argv) {
        if (args_.empty()) {
            throw std::invalid_argument("ExecArgs: empty argv");
        }
        std::map<std::string, std::string> env;
        for (char** e = environ; e && *e; ++e) {
            const std::string kv = *e;
            const auto eq = kv.find('=');
            if (eq != std::string::npos) {
                env[kv.substr(0, eq)] = kv.substr(eq + 1);
            }
        }
        for (const auto& [k, v] : extra_env) {
            if (v == "\x01unset") {
                env.erase(k);
            } else {
                env[k] = v;
            }
        }
        for (const auto& [k, v] : env) {
            env_strings_.push_back(k + "=" + v);
        }
        for (auto& s : env_strings_) {
            envp_.push_back(s.data());
        }
        envp_.push_back(nullptr);
        for (auto& a : args_) {
            argp_.push_back(a.data());
        }
        argp_.push_back(nullptr);
    }
    ExecArgs(const ExecArgs&) = delete;
    ExecArgs& operator=(const ExecArgs&) = delete;

    [[nodiscard]] const char* path() const { return argp_[0]; }
    [[nodiscard]] char* const* argv() const { return argp_.data(); }
    [[nodiscard]] char* const* envp() const { return envp_.data(); }

private:
    std::vector<std::string> args_;
    std::vector<std::string> env_strings_;
    std::vector<char*> argp_;
    std::vector<char*> envp_;
};

struct ProcessResult {
    int exit_code = -1;   // -1 when the child did not exit normally
    int term_signal = 0;  // the signal that ended it, if any
    bool timed_out = false;
    std::string out;
    std::string err;
};

// argv[0] is the program path. extra_env entries are added to (or replace) this process's
// environment; a value of "\x01unset" removes the variable. timeout is a safety net only:
// a child still running then is killed and the result says timed_out.
inline ProcessResult run_process(const std::vector<std::string>& argv,
                                 const std::map<std::string, std::string>& extra_env = {},
                                 std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
    if (argv.empty()) {
        throw std::invalid_argument("run_process: empty argv");
    }

    ExecArgs exec(argv, extra_env);

    int out_pipe[2];
    int err_pipe[2];
    if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) {
        throw std::runtime_error("run_process: pipe failed");
    }

    const pid_t pid = fork();
    if (pid < 0) {
        throw std::runtime_error("run_process: fork failed");
    }
    if (pid == 0) {
        dup2(out_pipe[1], STDOUT_FILENO);
        dup2(err_pipe[1], STDERR_FILENO);
        const int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0) {
            dup2(devnull, STDIN_FILENO);
        }
        execve(exec.path(), exec.argv(), exec.envp());
        const char msg[] = "run_process: execve failed\n";
        (void)!write(STDERR_FILENO, msg, sizeof msg - 1);
        _exit(127);
    }
    close(out_pipe[1]);
    close(err_pipe[1]);

    ProcessResult r;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
    std::string* sinks[2] = {&r.out, &r.err};
    int open_fds = 2;
    while (open_fds > 0) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            r.timed_out = true;
            kill(pid, SIGKILL);
            break;
        }
        const int n = poll(fds, 2, static_cast<int>(left.count()));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            break;
        }
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) {
                continue;
            }
            char buf[4096];
            const ssize_t got = read(fds[i].fd, buf, sizeof buf);
            if (got > 0) {
                sinks[i]->append(buf, static_cast<std::size_t>(got));
            } else if (got == 0 || errno != EINTR) {
                close(fds[i].fd);
                fds[i].fd = -1;
                --open_fds;
            }
        }
    }
    for (auto& f : fds) {
        if (f.fd >= 0) {
            close(f.fd);
        }
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    if (WIFEXITED(status)) {
        r.exit_code = WEXITSTATUS(status);
    }
    if (WIFSIGNALED(status)) {
        r.term_signal = WTERMSIG(status);
    }
    return r;
}

}  // namespace tjtest
