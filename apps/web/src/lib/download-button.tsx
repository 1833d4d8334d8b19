import { App, Button, type ButtonProps } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { downloadFile } from '../api/client.ts';
import { errorText } from '../api/error-text.ts';

/**
 * The one export button: downloads `url` (an /api path) through fetch, with a spinner meanwhile; a failed export
 * shows the translated error in the page instead of opening the server's JSON error in a tab.
 */
export function DownloadButton({ url, ...props }: Omit<ButtonProps, 'href' | 'onClick' | 'loading'> & { url: string }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const [busy, setBusy] = useState(false);
  const onClick = async () => {
    setBusy(true);
    try {
      await downloadFile(url);
    } catch (e) {
      void message.error(t('common.exportFailed', { reason: errorText(e, i18n.language) }));
    } finally {
      setBusy(false);
    }
  };
  return <Button {...props} loading={busy} onClick={() => void onClick()} />;
}
