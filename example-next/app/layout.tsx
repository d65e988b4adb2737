import type { ReactNode } from "react";

export const metadata = { title: "trpc-jwt on Next.js" };

// System fonts only: nothing is fetched from another site, at build time or in the browser.
export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body style={{ fontFamily: "system-ui, sans-serif", maxWidth: "40rem", margin: "2rem auto" }}>{children}</body>
    </html>
  );
}
