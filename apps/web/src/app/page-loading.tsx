/**
 * A loading indicator without antd (its Spin's look; styles in loading.css, part of the entry): the router's fallback
 * while a page's chunk loads, and the phone pages' spinner. `fullscreen` covers the page like `<Spin fullscreen />`.
 */
export function PageLoading({ fullscreen, large }: { fullscreen?: boolean; large?: boolean }) {
  return (
    <div
      className={`hf-loading${fullscreen ? ' hf-loading-full' : ''}${large ? ' hf-loading-large' : ''}`}
      role="status"
      aria-busy="true"
    >
      <span className="hf-loading-dots">
        <i />
        <i />
        <i />
        <i />
      </span>
    </div>
  );
}
