-- streamproof: a whole-response deadline for HAProxy (2.6 and 3.x, Lua 5.3/5.4).
--
-- HAProxy's own timeouts (client, server, tunnel) are inactivity timeouts: any byte re-arms
-- them, so a heartbeat keeps a stream alive forever. Some managed proxies instead put a deadline
-- on the whole exchange (request start → last response byte). This filter emulates that:
--
--   filter lua.deadline <seconds>          (in the frontend; seconds at real scale)
--
-- Per stream it starts a Lua task that sleeps <seconds> × STREAMPROOF_TIME_SCALE. If the
-- response has not ended by then and its headers have already reached HAProxy, the task cuts
-- the stream with `shutdown session <ptr>` on the admin CLI (stats socket
-- ipv4@127.0.0.1:9999 level admin), finding the stream in `show sess` by the client's
-- src ip:port. Before response headers nothing is cut here: `timeout server <seconds>` in the
-- same profile expires at the same moment (the server has sent nothing, so inactivity equals
-- elapsed time) and HAProxy answers 504 itself, as the emulated services do.
--
-- Requires: global `lua-load /etc/haproxy/deadline.lua` and the stats socket above.

local CLI_HOST, CLI_PORT = "127.0.0.1", 9999
local scale = tonumber(os.getenv("STREAMPROOF_TIME_SCALE") or "1") or 1

local function cli(cmd)
  local s = core.tcp()
  s:settimeout(2)
  if not s:connect(CLI_HOST, CLI_PORT) then return nil end
  s:send(cmd .. "\n")
  local out = s:receive("*a")
  s:close()
  return out
end

-- Cut the stream whose client is ip:port. Returns the stream pointer, or nil if none matched.
local function cut(ip, port)
  local sessions = cli("show sess") or ""
  local needle = " src=" .. ip .. ":" .. port .. " "
  for line in sessions:gmatch("[^\n]+") do
    if line:find(needle, 1, true) then
      local ptr = line:match("^(0x%x+):")
      if ptr then
        cli("shutdown session " .. ptr)
        return ptr
      end
    end
  end
  return nil
end

local Deadline = {}
Deadline.id = "streamproof whole-response deadline"
Deadline.flags = filter.FLT_CFG_FL_HTX
Deadline.__index = Deadline

-- HAProxy calls new() on the class returned by the init function below (a per-declaration
-- copy carrying .seconds), so the instance inherits from self, not from the global Deadline.
function Deadline:new()
  local d = { seconds = self.seconds, started = false, headers = false, done = false }
  setmetatable(d, { __index = self })
  return d
end

function Deadline:start_analyze(txn, chn)
  if chn:is_resp() or self.started then return end
  self.started = true
  local state = self
  local ms = math.floor(self.seconds * scale * 1000 + 0.5)
  local ip, port = txn.f:src(), txn.f:src_port()
  local t0 = core.now()
  core.register_task(function()
    core.msleep(ms)
    if state.done or not state.headers then return end
    local ptr = cut(ip, port)
    local t1 = core.now()
    local elapsed = (t1.sec - t0.sec) * 1000 + (t1.usec - t0.usec) / 1000
    core.Warning(string.format("streamproof-deadline: %s:%s deadline %d ms reached at %.0f ms: %s",
      ip, port, ms, elapsed, ptr and ("shutdown session " .. ptr) or "stream already gone"))
  end)
end

function Deadline:http_headers(txn, msg)
  if msg.channel:is_resp() then self.headers = true end
end

function Deadline:end_analyze(txn, chn)
  if chn:is_resp() then self.done = true end
end

core.register_filter("deadline", Deadline, function(d, args)
  d.seconds = tonumber(args[1])
  if not d.seconds or d.seconds <= 0 then
    error("filter lua.deadline needs a positive number of seconds, e.g. filter lua.deadline 30")
  end
  return d
end)
