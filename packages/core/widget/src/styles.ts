/**
 * The widget's styles, inside its shadow root. Themed from outside with CSS custom properties
 * (`--df-chat-*`, inherited through the shadow boundary) and `::part(...)` for anything else.
 */
export const STYLES = `
:host{display:block;--a:var(--df-chat-accent,#8a3b12);--bg:var(--df-chat-background,#fff);--fg:var(--df-chat-color,#1f1f1f);--bb:var(--df-chat-bot-background,#f1ece6);--ub:var(--df-chat-user-background,var(--a));--uf:var(--df-chat-user-color,#fff);--r:var(--df-chat-radius,12px);--f:var(--df-chat-focus,#1a56db);font:var(--df-chat-font,15px/1.45 system-ui,sans-serif);color:var(--fg)}
[hidden]{display:none!important}
.w{display:flex;flex-direction:column;height:var(--df-chat-height,520px);max-height:100%;background:var(--bg);border:1px solid var(--df-chat-border,#d8d2ca);border-radius:var(--r);overflow:hidden}
header{display:flex;align-items:center;justify-content:space-between;gap:8px;padding:10px 14px;background:var(--a);color:#fff}
h2{font-size:1.05em;margin:0}
.log{margin:0;padding:12px;flex:1;overflow-y:auto;display:flex;flex-direction:column;gap:8px;scroll-behavior:smooth}
div.m{max-width:85%;padding:8px 12px;border-radius:var(--r);white-space:pre-line;overflow-wrap:anywhere}
.bot{align-self:flex-start;background:var(--bb)}
.user{align-self:flex-end;background:var(--ub);color:var(--uf)}
.note{align-self:center;font-size:.9em;color:#555;text-align:center}
.rich{align-self:flex-start;max-width:90%}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.card{border:1px solid #d8d2ca;border-radius:var(--r);overflow:hidden;background:var(--bg)}
.card img,.img{display:block;max-width:100%;height:auto}
.card .b{padding:8px 12px}
.card h3{font-size:1em;margin:0 0 4px}
.card p{margin:0;white-space:pre-line;color:#444}
.acts,.chips{display:flex;flex-wrap:wrap;gap:6px;padding:0 12px 10px}
.chips{padding:0}
button,a.btn,input{font:inherit}
button,a.btn{cursor:pointer;border:1px solid var(--a);background:var(--bg);color:var(--a);border-radius:999px;padding:4px 12px;text-decoration:none;min-height:32px}
button:hover,a.btn:hover{background:var(--a);color:#fff}
:focus-visible{outline:3px solid var(--f);outline-offset:2px}
ul.list{list-style:none;margin:0;padding:0;border:1px solid #d8d2ca;border-radius:var(--r);background:var(--bg)}
ul.list li+li{border-top:1px solid #eee}
ul.list button{all:unset;box-sizing:border-box;display:block;width:100%;padding:8px 12px;cursor:pointer;color:var(--fg)}
ul.list button:focus-visible{outline:3px solid var(--f);outline-offset:-3px}
ul.list small{display:block;color:#555}
.list h3{font-size:1em;margin:0 0 4px}
.t{display:flex;gap:4px;padding:0 14px 6px;min-height:14px;align-items:center}
.t i{width:7px;height:7px;border-radius:50%;background:#8a8178;animation:d 1s infinite alternate}
.t i:nth-child(2){animation-delay:.2s}.t i:nth-child(3){animation-delay:.4s}
@keyframes d{to{opacity:.2;transform:translateY(-3px)}}
.s{padding:0 14px;font-size:.9em;color:#6b2d0c}
form{display:flex;gap:8px;padding:10px;border-top:1px solid #e6e0d8}
input{flex:1;min-width:0;padding:8px 10px;border:1px solid #8a8178;border-radius:8px;color:var(--fg);background:var(--bg)}
form button{background:var(--a);color:#fff;border-radius:8px}
header button{border-color:#fff;color:#fff;background:transparent;font-size:.85em}
@media (prefers-reduced-motion:reduce){*{animation:none!important;transition:none!important;scroll-behavior:auto!important}}
`;
