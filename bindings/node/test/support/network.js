'use strict';
// Records every attempt to open a TCP connection or send a UDP datagram from
// this process, so a test can prove that a peer library stayed offline.
const net = require('node:net');
const dgram = require('node:dgram');

function watchNetwork() {
  const seen = [];
  const connect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function (...args) {
    seen.push(`tcp ${JSON.stringify(args[0] && (args[0].path || `${args[0].host}:${args[0].port}`))}`);
    return connect.apply(this, args);
  };
  const send = dgram.Socket.prototype.send;
  dgram.Socket.prototype.send = function (...args) {
    seen.push('udp');
    return send.apply(this, args);
  };
  return { attempts: () => [...seen] };
}

module.exports = { watchNetwork };
