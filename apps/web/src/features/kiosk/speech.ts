/** Speak in the kiosk's language (zh-CN or en-US) with such a voice when the browser has one; silently do nothing where speech synthesis is absent. */
export function speak(text: string, lang = 'zh-CN'): void {
  try {
    const synth = typeof window !== 'undefined' ? window.speechSynthesis : undefined;
    if (!synth || typeof SpeechSynthesisUtterance === 'undefined') return;
    const u = new SpeechSynthesisUtterance(text);
    u.lang = lang;
    const voice = synth.getVoices().find((v) => v.lang.toLowerCase().replace('_', '-').startsWith(lang.toLowerCase()));
    if (voice) u.voice = voice;
    synth.cancel();
    synth.speak(u);
  } catch {
    /* a kiosk must keep working without speech */
  }
}
