// A server started as a child process for the length of a test: its first stdout line is
// read (the "I am ready, here is my address" line both of our servers print), its stderr goes
// to a log file a failing test can show, and the destructor stops it (SIGTERM, then SIGKILL).
// Header-only, POSIX.
#pragma once

#include "subprocess.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace tjtest {

class BackgroundProcess {
public:
    // argv[0] is the program path; extra_env is added to this process's environment (a value
    // of "\x01unset" removes the variable, as in run_process).
    BackgroundProcess(const std::vector<std::string>& argv, const std::map<std::string, std::string>& extra_env,
                      std::string stderr_path)
        : stderr_path_(std::move(stderr_path)) {
        const ExecArgs exec(argv, extra_env);

        int out_pipe[2];
        if (pipe2(out_pipe, O_CLOEXEC) != 0) {
            throw std::runtime_error("BackgroundProcess: pipe failed");
        }
        const int err_fd = open(stderr_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (err_fd < 0) {
            throw std::runtime_error("BackgroundProcess: cannot open " + stderr_path_);
        }
        pid_ = fork();
        if (pid_ < 0) {
            throw std::runtime_error("BackgroundProcess: fork failed");
        }
        if (pid_ == 0) {
            dup2(out_pipe[1], STDOUT_FILENO);
            dup2(err_fd, STDERR_FILENO);
            const int devnull = open("/dev/null", O_RDONLY);
            if (devnull >= 0) {
                dup2(devnull, STDIN_FILENO);
            }
            execve(exec.path(), exec.argv(), exec.envp());
            const char msg[] = "BackgroundProcess: execve failed\n";
            (void)!write(STDERR_FILENO, msg, sizeof msg - 1);
            _exit(127);
        }
        close(out_pipe[1]);
        close(err_fd);
        out_fd_ = out_pipe[0];
    }

    ~BackgroundProcess() {
        if (out_fd_ >= 0) {
            close(out_fd_);
        }
        if (pid_ <= 0) {
            return;
        }
        kill(pid_, SIGTERM);
        // Polling waitpid: a server that ignores SIGTERM for 10 s is killed, never waited on forever.
        for (int i = 0; i < 1000; ++i) {
            if (waitpid(pid_, nullptr, WNOHANG) != 0) {
                return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        kill(pid_, SIGKILL);
        while (waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {}
    }
    BackgroundProcess(const BackgroundProcess&) = delete;
    BackgroundProcess& operator=(const BackgroundProcess&) = delete;

    // The first line the child prints; "" when it exits or stays silent until the deadline
    // (a safety net for a broken server, not a timing assertion).
    std::string first_line(std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (true) {
            if (const auto nl = buffer_.find('\n'); nl != std::string::npos) {
                return buffer_.substr(0, nl);
            }
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) {
                return {};
            }
            pollfd p{out_fd_, POLLIN, 0};
            const int n = poll(&p, 1, static_cast<int>(left.count()));
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n <= 0) {
                return {};
            }
            char buf[4096];
            const ssize_t got = read(out_fd_, buf, sizeof buf);
            if (got <= 0) {
                return {};
            }
            buffer_.append(buf, static_cast<std::size_t>(got));
        }
    }

    // What the child wrote to stderr so far.
    std::string log() const {
        std::ifstream in(stderr_path_);
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str();
    }

private:
    pid_t pid_ = -1;
    int out_fd_ = -1;
    std::string stderr_path_;
    std::string buffer_;
};

}  // namespace tjtest
